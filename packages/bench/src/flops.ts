/** What a profiler knows of one kernel call. */
export interface KernelCall {
  name: string;
  inputShapes: ReadonlyArray<readonly number[] | undefined>;
  outputShapes: ReadonlyArray<readonly number[] | undefined>;
  /** Wall time of the call in milliseconds. */
  timeMs: number;
}

const size = (s: readonly number[] | undefined): number => (s ? s.reduce((a, b) => a * b, 1) : 0);

/** Forward convolution kernels: plain, with bias/activation, and with a residual (`@residual/tensor`). */
export const CONV_FORWARD_KERNELS: readonly string[] = ['Conv2D', 'FusedConv2D', 'ResidualConv2D'];
/** Every convolution kernel of a training step or a forward pass: forward and both gradients. */
export const CONV_KERNELS: readonly string[] = [...CONV_FORWARD_KERNELS, 'Conv2DBackpropFilter', 'Conv2DBackpropInput'];
const CONV_FORWARD = new Set(CONV_FORWARD_KERNELS);
const MATMUL = new Set(['BatchMatMul', '_FusedMatMul', 'MatMul']);

/**
 * Floating-point operations (a multiply-add counts 2) of a convolution or matrix product call,
 * from its shapes alone; 0 for other kernels. NHWC activations, HWIO filters (tfjs layouts).
 *
 * - Conv2D / FusedConv2D / ResidualConv2D: inputs `[x, filter, …]`, output `[N, Ho, Wo, Co]`: 2·N·Ho·Wo·Co·kh·kw·Ci.
 * - Conv2DBackpropInput: inputs `[dy, filter]`: the same count, with dy's `[N, Ho, Wo, Co]`.
 * - Conv2DBackpropFilter: inputs `[x, dy]`, output `[kh, kw, Ci, Co]`: 2·size(dy)·kh·kw·Ci.
 * - matrix products: output `[B, M, N]`, K = size(a) / (B·M) whatever the transposes: 2·B·M·N·K.
 * @example
 * ```ts
 * kernelFlops({ name: 'Conv2D', inputShapes: [[1, 8, 8, 3], [3, 3, 3, 16]], outputShapes: [[1, 8, 8, 16]], timeMs: 0 });
 * // 2 * 64 * 16 * 27 = 55296
 * ```
 */
export function kernelFlops(call: KernelCall): number {
  const [a, b] = call.inputShapes;
  const out = call.outputShapes[0];
  if (CONV_FORWARD.has(call.name)) {
    if (!b || b.length !== 4 || !out) return 0;
    return 2 * size(out) * b[0] * b[1] * b[2];
  }
  if (call.name === 'Conv2DBackpropInput') {
    if (!a || !b || b.length !== 4) return 0;
    return 2 * size(a) * b[0] * b[1] * b[2];
  }
  if (call.name === 'Conv2DBackpropFilter') {
    if (!b || !out || out.length !== 4) return 0;
    return 2 * size(b) * out[0] * out[1] * out[2];
  }
  if (MATMUL.has(call.name)) {
    if (!a || !out || out.length < 2) return 0;
    const m = out[out.length - 2];
    const batch = size(out) / (m * out[out.length - 1]);
    const k = size(a) / (batch * m);
    return 2 * size(out) * k;
  }
  return 0;
}

/** One row of a per-kernel table. */
export interface KernelRow {
  kernel: string;
  calls: number;
  totalMs: number;
  /** Share of the summed kernel time, in percent. */
  percent: number;
  /** Floating-point operations of all calls (0 where not counted). */
  flops: number;
  /** Achieved GFLOP/s, or `null` where FLOPs are not counted. */
  gflops: number | null;
}

/**
 * Group kernel calls by name (or by `keyOf`): calls, total time, share, FLOPs and achieved GFLOP/s,
 * slowest first.
 * @example
 * ```ts
 * kernelTable([{ name: 'Relu', inputShapes: [[4]], outputShapes: [[4]], timeMs: 1 }])[0].calls; // 1
 * ```
 */
export function kernelTable(calls: readonly KernelCall[], keyOf: (c: KernelCall) => string = (c) => c.name): KernelRow[] {
  const rows = new Map<string, KernelRow>();
  let total = 0;
  for (const c of calls) {
    const key = keyOf(c);
    const row = rows.get(key) ?? { kernel: key, calls: 0, totalMs: 0, percent: 0, flops: 0, gflops: null };
    row.calls++;
    row.totalMs += c.timeMs;
    row.flops += kernelFlops(c);
    rows.set(key, row);
    total += c.timeMs;
  }
  const out = [...rows.values()];
  for (const r of out) {
    r.percent = total > 0 ? (100 * r.totalMs) / total : 0;
    r.gflops = r.flops > 0 && r.totalMs > 0 ? r.flops / (r.totalMs * 1e6) : null;
  }
  return out.sort((x, y) => y.totalMs - x.totalMs);
}
