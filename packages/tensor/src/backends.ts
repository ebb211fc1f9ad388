import * as tf from '@tensorflow/tfjs-core';

/**
 * Every backend residual knows how to load, fastest first (the order `useBackend('auto')` tries).
 * @example
 * ```ts
 * import { BACKENDS } from '@residual/tensor';
 * BACKENDS.includes('wasm'); // true
 * ```
 */
export const BACKENDS = ['node-gpu', 'node', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
/** A backend name as residual spells it (`node-gpu` and `node` are tfjs-node's `tensorflow`). */
export type BackendName = (typeof BACKENDS)[number];

/** What a backend package tells residual when it loads. */
export interface BackendProvider {
  /** The name tfjs-core registers the backend under. */
  tfName: string;
  /** Register the backend (and any extra kernels) with tfjs-core. Called at most once. */
  load(): Promise<void>;
  /** Threads and SIMD, when the backend has such settings. */
  info?(): Partial<BackendInfo>;
}

/** Describes the active backend. */
export interface BackendInfo {
  /** residual's name for the backend. */
  name: BackendName;
  /** The name tfjs-core uses. */
  tfName: string;
  /** Worker threads the backend computes with (1 when single-threaded). */
  threads: number;
  /** Whether the backend runs SIMD code (wasm); `null` where the notion does not apply. */
  simd: boolean | null;
  /** tfjs-core version. */
  version: string;
  /** The GPU adapter (webgpu only). */
  adapter?: AdapterDescription;
}

/** A WebGPU adapter as `backendInfo()` reports it. */
export interface AdapterDescription {
  /** e.g. 'nvidia', 'google' (SwiftShader). */
  vendor: string;
  /** e.g. 'hopper', 'swiftshader'. */
  architecture: string;
  /** The device name, where the platform reports one. */
  device: string;
  /** The driver's full description, e.g. 'NVIDIA: 580.95.05'. */
  description: string;
  /** A software rasteriser (SwiftShader, llvmpipe, WARP): correct but slow; `'auto'` never picks it. */
  isFallback: boolean;
}

/**
 * Raised when a backend's package is not installed or cannot start here. The message names the
 * package to install and what the machine needs; `backend` says which backend failed.
 * @example
 * ```ts
 * import { useBackend, BackendUnavailableError } from '@residual/tensor';
 * try {
 *   await useBackend('node');
 * } catch (err) {
 *   if (err instanceof BackendUnavailableError) await useBackend('wasm');
 *   else throw err;
 * }
 * ```
 */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

interface LoaderSpec {
  /** The npm package(s) a user installs to get the backend. */
  install: string;
  /** What the machine needs besides the package. */
  prerequisites: string;
  /** Imports the package and returns its provider. */
  provider(): Promise<BackendProvider>;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

function tfjsProvider(tfName: string, load: () => Promise<unknown>): () => Promise<BackendProvider> {
  return async () => ({ tfName, load: async () => void (await load()) });
}

// Loaders import optional packages lazily: a user who never asks for a backend never loads it.
const LOADERS: Record<BackendName, LoaderSpec> = {
  'node-gpu': {
    install: 'npm i @residual/backend-node @tensorflow/tfjs-node-gpu',
    prerequisites:
      'Linux x86_64 with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1 on the library path; the package downloads ' +
      'libtensorflow when it installs, so the machine needs internet access at install time.',
    provider: () => importProvider('@residual/backend-node', 'node-gpu'),
  },
  node: {
    install: 'npm i @residual/backend-node @tensorflow/tfjs-node',
    prerequisites:
      'Linux, macOS or Windows on x86_64 (or macOS arm64); the package downloads libtensorflow when it ' +
      'installs, so the machine needs internet access at install time.',
    provider: () => importProvider('@residual/backend-node', 'node'),
  },
  webgpu: {
    install: 'npm i @residual/backend-webgpu webgpu',
    prerequisites:
      'a GPU with a WebGPU driver: in browsers navigator.gpu (Chrome/Edge ≥ 113); in Node the `webgpu` package ' +
      '(Dawn) with Vulkan (Linux: libvulkan1 and a Vulkan driver), Metal (macOS) or Direct3D 12 (Windows).',
    provider: () => importProvider('@residual/backend-webgpu', 'webgpu'),
  },
  webgl: {
    install: 'npm i @tensorflow/tfjs-backend-webgl',
    prerequisites: 'a browser with WebGL 2 (not available in Node).',
    provider: tfjsProvider('webgl', () => dynamicImport('@tensorflow/tfjs-backend-webgl')),
  },
  wasm: {
    install: 'npm i @residual/backend-wasm',
    prerequisites: 'any JavaScript runtime with WebAssembly (Node ≥ 20, current browsers).',
    provider: () => importProvider('@residual/backend-wasm', 'wasm'),
  },
  cpu: {
    install: 'npm i @residual/tensor',
    prerequisites: 'none (pure JavaScript; slow, but the reference every other backend is tested against).',
    provider: tfjsProvider('cpu', async () => undefined),
  },
};

interface BackendState {
  registered: Map<BackendName, BackendProvider>;
  loaded: Map<BackendName, BackendProvider>;
  active: BackendName | null;
}
// Kept on globalThis: when both the ESM and the CJS build of this package load in one process
// (the dual-package hazard), they must still share one registry.
const STATE_KEY = Symbol.for('@residual/tensor/backends');
const state: BackendState = ((globalThis as Record<symbol, unknown>)[STATE_KEY] as BackendState) ??
  ((globalThis as Record<symbol, unknown>)[STATE_KEY] = { registered: new Map(), loaded: new Map(), active: null });
const registered = state.registered;
const loaded = state.loaded;

/**
 * Called by backend packages (`@residual/backend-wasm`, `@residual/backend-node`) when they are
 * imported, so `useBackend(name)` finds them even in bundles where lazy imports by name cannot work.
 * A later registration under the same name replaces the earlier one.
 * @example
 * ```ts
 * import { registerBackendProvider, useBackend } from '@residual/tensor';
 * import { wasmBackendProvider } from '@residual/backend-wasm';
 * // what importing `@residual/backend-wasm` already does for you:
 * registerBackendProvider('wasm', wasmBackendProvider());
 * await useBackend('wasm');
 * ```
 */
export function registerBackendProvider(name: BackendName, provider: BackendProvider): void {
  registered.set(name, provider);
}

// A specifier held in a variable keeps bundlers and the type checker from resolving optional packages.
// The specifier is a variable and the comments tell Vite and webpack to leave it alone: a backend package
// the application did not install must not break its bundle.
const dynamicImport = (specifier: string): Promise<unknown> => import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);

async function importProvider(pkg: string, name: BackendName): Promise<BackendProvider> {
  if (!registered.has(name)) await dynamicImport(pkg);
  const provider = registered.get(name);
  if (!provider) throw new Error(`${pkg} loaded but did not register backend '${name}'`);
  return provider;
}


async function load(name: BackendName): Promise<BackendProvider> {
  const done = loaded.get(name);
  if (done) return done;
  const spec = LOADERS[name];
  if (!isNode && (name === 'node' || name === 'node-gpu')) {
    throw new BackendUnavailableError(name, `backend '${name}' runs only in Node.js.`);
  }
  if (isNode && name === 'webgl') {
    throw new BackendUnavailableError(name, `backend '${name}' needs a browser; in Node use 'wasm' or 'node'.`);
  }
  let provider: BackendProvider;
  try {
    provider = await spec.provider();
    await provider.load();
  } catch (err) {
    if (err instanceof BackendUnavailableError) throw err;
    throw new BackendUnavailableError(
      name,
      `backend '${name}' is not available: ${(err as Error)?.message ?? err}\n` +
        `  install it with: ${spec.install}\n  prerequisites: ${spec.prerequisites}`,
      err,
    );
  }
  loaded.set(name, provider);
  return provider;
}

/**
 * Select the backend tensors are computed on, loading its package on first use.
 *
 * `'auto'` tries `node-gpu`, `node`, `webgpu`, `webgl`, `wasm`, `cpu` in that order and takes the first
 * that starts. A missing optional backend throws {@link BackendUnavailableError} naming the package to
 * install and what the machine needs.
 *
 * @returns the name of the backend now active.
 * @example
 * ```ts
 * import { useBackend, backendInfo } from '@residual/tensor';
 * await useBackend('wasm');
 * console.log(backendInfo()); // { name: 'wasm', threads: 1, simd: true, ... }
 * ```
 */
export async function useBackend(name: BackendName | 'auto' = 'auto'): Promise<BackendName> {
  if (name === 'auto') {
    const errors: string[] = [];
    for (const candidate of BACKENDS) {
      try {
        const provider = await load(candidate);
        // A software GPU (SwiftShader) is far slower than wasm: 'auto' takes only real hardware.
        if (provider.info?.().adapter?.isFallback) {
          errors.push(`backend '${candidate}' skipped: its adapter is a software fallback (${provider.info?.().adapter?.description})`);
          continue;
        }
        return await useBackend(candidate);
      } catch (err) {
        errors.push((err as Error).message.split('\n')[0]);
      }
    }
    throw new Error(`no backend could start:\n  ${errors.join('\n  ')}`);
  }
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new TypeError(`unknown backend '${name}'; expected one of ${BACKENDS.join(', ')} or 'auto'`);
  }
  const provider = await load(name);
  const ok = await tf.setBackend(provider.tfName);
  if (!ok) throw new BackendUnavailableError(name, `backend '${name}' failed to initialise on this machine.`);
  await tf.ready();
  silenceCpuBanner();
  state.active = name;
  return name;
}

/**
 * The backends that load and start here, fastest first. Loading is attempted for each, so call this
 * once at start-up, not in a loop. The backend active before the call stays active.
 * @example
 * ```ts
 * import { availableBackends } from '@residual/tensor';
 * const names = await availableBackends(); // e.g. ['wasm', 'cpu'] in Node without tfjs-node
 * ```
 */
export async function availableBackends(): Promise<BackendName[]> {
  const previous = tf.getBackend();
  const out: BackendName[] = [];
  for (const name of BACKENDS) {
    try {
      const provider = await load(name);
      if (await tf.setBackend(provider.tfName)) out.push(name);
    } catch {
      // not available: that is what we are finding out
    }
  }
  if (previous) await tf.setBackend(previous);
  return out;
}

/**
 * Describe the active backend: residual's name, tfjs's name, threads and SIMD.
 * @example
 * ```ts
 * await useBackend('cpu');
 * backendInfo().threads; // 1
 * ```
 */
export function backendInfo(): BackendInfo {
  const tfName = tf.getBackend();
  const active = state.active;
  const name = active && loaded.get(active)?.tfName === tfName ? active : guessName(tfName);
  const extra = name ? loaded.get(name)?.info?.() ?? {} : {};
  return {
    name: (name ?? tfName) as BackendName,
    tfName,
    threads: extra.threads ?? 1,
    simd: extra.simd ?? null,
    version: tf.version_core,
    ...(extra.adapter ? { adapter: extra.adapter } : {}),
  };
}

function guessName(tfName: string): BackendName | null {
  if (tfName === 'tensorflow') return 'node';
  return (BACKENDS as readonly string[]).includes(tfName) ? (tfName as BackendName) : null;
}

/** tfjs's cpu backend prints a banner on first use in Node; residual says the same in its own docs. */
function silenceCpuBanner(): void {
  const b = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (b && 'firstUse' in b) b.firstUse = false;
}

/**
 * Install/prerequisite text for a backend, for CLIs and error messages.
 * @example
 * ```ts
 * import { backendRequirements } from '@residual/tensor';
 * backendRequirements('wasm').install; // 'npm i @residual/backend-wasm'
 * ```
 */
export function backendRequirements(name: BackendName): { install: string; prerequisites: string } {
  const { install, prerequisites } = LOADERS[name];
  return { install, prerequisites };
}
