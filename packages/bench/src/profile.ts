import { tf } from '@residual/tensor';
import { kernelFlops, kernelTable, type KernelCall, type KernelRow } from './flops';

/** Per-kernel breakdown of one call of a function. */
export interface KernelProfile {
  /** Wall time of the profiled call, in ms (profiling adds overhead: compare shares, not totals). */
  wallMs: number;
  /** Sum of the kernel times (registered kernels only: scopes would count their kernels twice). */
  kernelMs: number;
  /** FLOPs of every counted kernel (convolutions and matrix products). */
  flops: number;
  rows: KernelRow[];
  /**
   * Entries tfjs times around composite ops (`tf.customGrad` forwards show as 'unnamed scope'): their
   * kernels are already in `rows`, so they are listed apart and not summed.
   */
  scopes: KernelRow[];
  /** Convolutions and matrix products split by input shapes: which layer sizes run well. */
  byShape: KernelRow[];
}

/**
 * Run `fn` once under `tf.profile` and group its kernels by name, with FLOPs and achieved GFLOP/s.
 * Backends that compute synchronously (wasm, cpu) report each kernel's wall time.
 * @example
 * ```ts
 * const p = await profileKernels(() => tf.tidy(() => tf.matMul(a, b).dataSync()));
 * p.rows[0].kernel; // 'BatchMatMul'
 * ```
 */
export async function profileKernels(fn: () => void | Promise<void>): Promise<KernelProfile> {
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    await fn();
    return [];
  });
  const wallMs = performance.now() - t0;
  const backend = tf.getBackend();
  const calls: KernelCall[] = info.kernels.map((k) => ({
    name: k.name,
    inputShapes: k.inputShapes as number[][],
    outputShapes: k.outputShapes as number[][],
    timeMs: typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0,
  }));
  const isKernel = (c: KernelCall) => tf.getKernel(c.name, backend) !== undefined;
  const rows = kernelTable(calls.filter(isKernel));
  return {
    wallMs,
    kernelMs: rows.reduce((a, r) => a + r.totalMs, 0),
    flops: rows.reduce((a, r) => a + r.flops, 0),
    rows,
    scopes: kernelTable(calls.filter((c) => !isKernel(c))),
    byShape: kernelTable(
      calls.filter((c) => isKernel(c) && kernelFlops(c) > 0),
      (c) => `${c.name} ${c.inputShapes.map((s) => `[${(s ?? []).join(',')}]`).join(' ')}`,
    ),
  };
}
