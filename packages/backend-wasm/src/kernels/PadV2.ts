import type { KernelConfig, KernelFunc, NamedTensorInfoMap, PadV2Attrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import { nativeRuntime, runSplit } from './native/runtime';
import { replacingConfig, runStock } from './stock';

/** Elements per thread below which a copy stays on one thread (the hand-off costs more). */
export const MIN_COPY_PER_THREAD = 32768;

/**
 * `PadV2` (constant padding) of float32 and int32 tensors by native/copy.c's `pad_rows`: each output row is
 * written once, as constant, input, constant, with rows split across threads. Dimensions padded by
 * nothing are merged into their outer neighbour first, so a rank-6 pad (the gradient of `@residual/nn`'s
 * strided subsample) copies runs as long as the tensor allows. The stock kernel (3–5 GB/s on one thread
 * for ResNet's option-A shortcuts) still takes bool tensors of up to 6 merged dimensions; more than 6 go
 * through a JS loop, since the stock kernel gets rank-7 pads wrong.
 */
export function padV2(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: PadV2Attrs }): TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs as { x: TensorInfo };
  const pads = attrs.paddings.map(([a, b]) => [a, b] as [number, number]);
  if (x.dtype === 'string' || x.dtype === 'complex64' || pads.length !== x.shape.length || pads.some(([a, b]) => a < 0 || b < 0)) {
    return runStock(tf.PadV2, args as never);
  }
  const outShape = x.shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  const dims = mergePadDims(x.shape, outShape, pads.map((p) => p[0]));
  const native = (x.dtype === 'float32' || x.dtype === 'int32') && dims.out.length <= 6;
  // The stock kernel fills rank-7 pads wrongly (tfjs-backend-wasm 4.22): what native/copy.c does not take
  // goes through a JS loop instead.
  if (!native && dims.out.length <= 6) return runStock(tf.PadV2, args as never);
  const out = backend.makeOutput(outShape, x.dtype);
  const total = tf.util.sizeFromShape(outShape);
  if (total === 0) return out;
  if (!native) {
    padJs(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out), dims, attrs.constantValue);
    return out;
  }
  const rt = nativeRuntime(backend);
  const [xp, op] = [x, out].map((t) => rt.offset(t.dataId));
  // The constant's bit pattern in the output's dtype.
  const bits = new Int32Array((x.dtype === 'float32' ? Float32Array.of(attrs.constantValue) : Int32Array.of(attrs.constantValue)).buffer)[0];
  const lead = (a: number[], fill: number) => [...Array<number>(6 - a.length).fill(fill), ...a];
  const [o, s, b] = [lead(dims.out, 1), lead(dims.in, 1), lead(dims.before, 0)];
  const run = o[5];
  const rows = total / run;
  runSplit(rt, 'pad_rows', rows, Math.floor(total / MIN_COPY_PER_THREAD), (r0, r1) => [
    xp, op, bits, run, s[5], b[5], ...o.slice(0, 5), ...s.slice(0, 5), ...b.slice(0, 5), r0, r1,
  ]);
  return out;
}

/** The pad of merged `dims`, element by element (for more merged dims than native/copy.c takes). */
function padJs(src: ArrayLike<number>, dst: { length: number; [i: number]: number; fill(v: number): unknown }, dims: { in: number[]; out: number[]; before: number[] }, value: number): void {
  dst.fill(value);
  const rank = dims.in.length;
  const inTotal = dims.in.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < inTotal; i++) {
    let o = 0;
    for (let k = 0; k < rank; k++) o = o * dims.out[k] + idx[k] + dims.before[k];
    dst[o] = src[i];
    for (let k = rank - 1; k >= 0 && ++idx[k] === dims.in[k]; k--) idx[k] = 0;
  }
}

/**
 * The fewest dimensions of a pad: output dims of size 1 dropped, and each dim padded by nothing folded
 * into its outer neighbour (whose sizes and offset then count in blocks of it).
 */
export function mergePadDims(inShape: readonly number[], outShape: readonly number[], before: readonly number[]): { in: number[]; out: number[]; before: number[] } {
  const m = { in: [] as number[], out: [] as number[], before: [] as number[] };
  for (let i = 0; i < inShape.length; i++) {
    if (outShape[i] === 1 && inShape[i] === 1) continue;
    const last = m.out.length - 1;
    if (last >= 0 && before[i] === 0 && inShape[i] === outShape[i]) {
      m.in[last] *= inShape[i];
      m.out[last] *= outShape[i];
      m.before[last] *= outShape[i];
    } else {
      m.in.push(inShape[i]);
      m.out.push(outShape[i]);
      m.before.push(before[i]);
    }
  }
  if (m.out.length === 0) return { in: [1], out: [1], before: [0] };
  return m;
}

/** Kernel config for `tf.registerKernel`; `registerAllKernels()` swaps it in for the stock PadV2. */
export const padV2Config: KernelConfig = replacingConfig(tf.PadV2, padV2 as unknown as KernelFunc);
