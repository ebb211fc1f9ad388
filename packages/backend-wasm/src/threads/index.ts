import { nodeBuiltin, tf } from '@residual/tensor';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import type { ThreadedFiles } from './node-loader';

export type { ThreadedFiles };

// The Node loader (worker_threads, fs, a __filename shim in the ESM build) is imported only when a
// threaded backend starts in Node, so browser bundles of this package never evaluate it.
const nodeLoader = () => import('./node-loader');

/**
 * Locate tfjs-backend-wasm's threaded build and write its pthread worker script to a file (Node only).
 * @example
 * ```ts
 * const files = await materializeThreadedFiles(); // { mainScript, wasm, worker, version }
 * ```
 */
export async function materializeThreadedFiles(): Promise<ThreadedFiles> {
  return (await nodeLoader()).materializeThreadedFiles();
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
/** Lower than tfjs-node's, higher than cpu's: what tfjs-backend-wasm registers itself with. */
const WASM_PRIORITY = 2;

type Factory = () => tf.KernelBackend | Promise<tf.KernelBackend>;
interface EngineInternals {
  registry: Record<string, tf.KernelBackend | undefined>;
  registryFactory: Record<string, { factory: Factory; priority: number } | undefined>;
}
// The stock factory, kept so setThreadsCount(1) can go back to the single-threaded SIMD build.
const STOCK_KEY = Symbol.for('@residual/backend-wasm/stock-factory');
const store = globalThis as unknown as Record<symbol, Factory | undefined>;

function engineInternals(): EngineInternals {
  return tf.engine() as unknown as EngineInternals;
}

/**
 * Set the number of threads the wasm backend computes with — in Node too, where stock
 * tfjs-backend-wasm always runs one thread.
 *
 * In Node, `n > 1` makes the next start of the wasm backend load tfjs-backend-wasm's threaded SIMD
 * build on `worker_threads` (see `THREADS.md`); `n = 1` goes back to the single-threaded SIMD build.
 * In browsers it forwards to tfjs's `setThreadsCount` (threads there need cross-origin isolation).
 * Call it before `useBackend('wasm')`; called after, it restarts the backend, and throws if wasm
 * tensors exist (they would be lost). Then `await useBackend('wasm')` again.
 *
 * @param n threads, at least 1 (at most 8: tfjs pre-starts 8 workers).
 * @example
 * ```ts
 * import { setThreadsCount } from '@residual/backend-wasm';
 * import { useBackend, backendInfo } from '@residual/tensor';
 * setThreadsCount(2);
 * await useBackend('wasm');
 * backendInfo().threads; // 2 on a machine with at least 2 cores
 * ```
 */
export function setThreadsCount(n: number): void {
  explicit = true;
  applyThreads(n);
}

// Set once a caller picks a count; RESIDUAL_WASM_THREADS then no longer overrides it.
let explicit = false;

function applyThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 8) {
    throw new RangeError(`setThreadsCount: expected an integer from 1 to 8, got ${n}`);
  }
  tfwasm.setThreadsCount(n);
  if (!isNode) return;
  const engine = engineInternals();
  const entry = engine.registryFactory.wasm;
  if (!entry) throw new Error('setThreadsCount: the wasm backend is not registered with tfjs-core');
  const live = engine.registry.wasm;
  if (live && live.numDataIds() > 0) {
    throw new Error(
      `setThreadsCount: the wasm backend already holds ${live.numDataIds()} tensors; ` +
        'set the thread count before creating tensors on wasm (restarting the backend would lose them)',
    );
  }
  store[STOCK_KEY] ??= entry.factory;
  const factory: Factory =
    n > 1 ? async () => (await nodeLoader()).createThreadedBackend(n) : (store[STOCK_KEY] as Factory);
  // removeBackend disposes a started backend and leaves none selected: the caller's next
  // useBackend('wasm') starts the new one.
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, WASM_PRIORITY);
}

/**
 * Threads the running wasm backend actually computes with (1 until it has started).
 * @example
 * ```ts
 * import { getThreadsCount } from '@residual/backend-wasm';
 * getThreadsCount(); // 1 before the backend starts
 * ```
 */
export function getThreadsCount(): number {
  try {
    return tfwasm.getThreadsCount();
  } catch {
    return 1;
  }
}

/**
 * Read the thread count from `RESIDUAL_WASM_THREADS` (`auto` = the machine's cores, or an integer
 * from 1 to 8); `undefined` when unset.
 * @example
 * ```ts
 * await threadsFromEnv({ RESIDUAL_WASM_THREADS: '2' }); // 2
 * ```
 */
export async function threadsFromEnv(
  env: Record<string, string | undefined> = isNode ? process.env : {},
): Promise<number | undefined> {
  const raw = env.RESIDUAL_WASM_THREADS?.trim();
  if (!raw) return undefined;
  if (raw === 'auto') {
    const cores = isNode
      ? nodeBuiltin('node:os', 'RESIDUAL_WASM_THREADS=auto').availableParallelism()
      : (globalThis.navigator?.hardwareConcurrency ?? 1);
    return Math.max(1, Math.min(8, cores));
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 8) {
    throw new RangeError(`RESIDUAL_WASM_THREADS must be 'auto' or an integer from 1 to 8, got '${raw}'`);
  }
  return n;
}

/**
 * Apply `RESIDUAL_WASM_THREADS` (see {@link threadsFromEnv}) as {@link setThreadsCount} does, unless
 * the program already called setThreadsCount; the wasm provider calls it when it loads. Returns the
 * count applied, or `undefined` when none was.
 * @example
 * ```ts
 * process.env.RESIDUAL_WASM_THREADS = 'auto';
 * await applyThreadsFromEnv(); // 2 on a 2-core machine
 * ```
 */
export async function applyThreadsFromEnv(): Promise<number | undefined> {
  if (explicit) return undefined;
  const n = await threadsFromEnv();
  if (n !== undefined) applyThreads(n);
  return n;
}
