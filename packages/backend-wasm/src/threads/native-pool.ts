// Worker threads for our own native kernels (kernels/native), Node only.
//
// tfjs-backend-wasm's threaded build keeps its heap in a shared WebAssembly.Memory. Each worker here
// instantiates our kernel module against that same memory, so a kernel split across threads reads and
// writes tensors in place. The caller posts one call per worker into a shared control block, runs its own
// share, then waits (Atomics.wait is allowed on Node's main thread; browsers would need a different scheme,
// so there our kernels run on the calling thread).
import { nodeBuiltin } from '@residual/tensor';
import type { NativeOp, NativePool } from '../kernels/native/runtime';
import { NATIVE_POOL_OPS as OPS, nativeModule } from '../kernels/native/runtime';

// Control block per worker, in Int32 slots: [sequence, done, op, argc, args...].
const SLOTS = 32;
const SEQ = 0;
const DONE = 1;
const OP = 2;
const ARGC = 3;
const ARGS = 4;

// Polls of the control block before a thread sleeps in Atomics.wait (tens of microseconds): a training step
// makes ~170 pool calls, often a few microseconds apart, and waking a sleeping thread costs 50–100 µs on a
// virtual machine (measured on the 2-core CI box: a tiny 2-thread convolution took 82 µs against 19 µs on
// one thread). Spinning briefly, as OpenMP runtimes do, keeps the thread awake across those gaps; it then
// sleeps, so an idle backend costs no CPU.
const SPIN = 20_000;

// Evaluated by each worker (CommonJS, no file on disk: bundlers and installs need nothing extra).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, ops } = workerData;
const fns = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(control);
let seen = 0;
for (;;) {
  for (let i = 0; i < ${SPIN} && Atomics.load(c, ${SEQ}) === seen; i++);
  Atomics.wait(c, ${SEQ}, seen);
  seen = Atomics.load(c, ${SEQ});
  const argc = c[${ARGC}];
  const args = new Array(argc);
  for (let i = 0; i < argc; i++) args[i] = c[${ARGS} + i];
  let result = seen;
  try { fns[ops[c[${OP}]]](...args); } catch { result = -1; }
  Atomics.store(c, ${DONE}, result);
  Atomics.notify(c, ${DONE});
}
`;

/**
 * Starts `threads - 1` workers sharing `memory`. The workers are unref'd: they never keep the process alive.
 * @example
 * ```ts
 * const pool = await createNativePool(memory, 2); // memory: tfjs-backend-wasm's shared heap
 * pool.runAll([['fg_run', [x, dy, dw, 0, 9, ...rest]], ['fg_run', [x, dy, dw, 9, 18, ...rest]]]);
 * ```
 */
export async function createNativePool(memory: WebAssembly.Memory, threads: number): Promise<NativePool> {
  const { Worker } = nodeBuiltin('node:worker_threads', 'native kernel threads');
  const module = nativeModule(true);
  const native = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Record<
    NativeOp,
    (...a: number[]) => void
  >;
  const workers = Array.from({ length: threads - 1 }, () => {
    const control = new SharedArrayBuffer(SLOTS * 4);
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, ops: OPS } });
    worker.unref();
    return { worker, control: new Int32Array(control) };
  });
  let failure: unknown;
  for (const w of workers) w.worker.on('error', (e) => (failure ??= e));
  return {
    threads,
    runAll(calls) {
      if (failure) throw new Error(`@residual/backend-wasm: a native kernel worker died: ${String(failure)}`);
      if (calls.length > threads) throw new Error(`NativePool.runAll: ${calls.length} calls for ${threads} threads`);
      const posted: Array<{ c: Int32Array; seq: number }> = [];
      for (let i = 1; i < calls.length; i++) {
        const [op, args] = calls[i];
        if (args.length > SLOTS - ARGS) throw new Error(`NativePool.runAll: ${op} has too many arguments`);
        const c = workers[i - 1].control;
        c[OP] = OPS.indexOf(op);
        c[ARGC] = args.length;
        for (let a = 0; a < args.length; a++) c[ARGS + a] = args[a];
        const seq = (Atomics.load(c, SEQ) + 1) | 0;
        Atomics.store(c, SEQ, seq);
        Atomics.notify(c, SEQ);
        posted.push({ c, seq });
      }
      const t0 = Date.now();
      if (calls.length > 0) native[calls[0][0]](...calls[0][1]);
      // The shares are equal, so a worker far slower than the caller has died (its 'error' event cannot
      // arrive while this thread blocks): give up rather than hang.
      const deadline = Date.now() + 10 * (Date.now() - t0) + 30_000;
      for (const { c, seq } of posted) {
        for (let i = 0; i < SPIN && Atomics.load(c, DONE) !== seq; i++);
        for (;;) {
          const done = Atomics.load(c, DONE);
          if (done === seq) break;
          if (done === -1) throw new Error('@residual/backend-wasm: a native kernel failed on a worker thread');
          if (Date.now() > deadline) throw new Error('@residual/backend-wasm: a native kernel worker stopped answering');
          Atomics.wait(c, DONE, done, 1000);
        }
      }
    },
  };
}
