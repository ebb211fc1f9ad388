import { tf } from '@residual/tensor';
import { kernelTable, type KernelCall, type KernelRow } from './flops';

/** Per-kernel breakdown of one call of a function. */
export interface KernelProfile {
  /** Wall time of the profiled call, in ms (profiling adds overhead: compare shares, not totals). */
  wallMs: number;
  /** Sum of the kernel times. */
  kernelMs: number;
  /** FLOPs of every counted kernel (convolutions and matrix products). */
  flops: number;
  rows: KernelRow[];
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
  const calls: KernelCall[] = info.kernels.map((k) => ({
    name: k.name,
    inputShapes: k.inputShapes as number[][],
    outputShapes: k.outputShapes as number[][],
    timeMs: typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0,
  }));
  const rows = kernelTable(calls);
  return {
    wallMs,
    kernelMs: rows.reduce((a, r) => a + r.totalMs, 0),
    flops: rows.reduce((a, r) => a + r.flops, 0),
    rows,
  };
}
