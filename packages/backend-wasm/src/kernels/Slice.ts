import type { KernelConfig, KernelFunc, NamedTensorInfoMap, SliceAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import { replacingConfig, runStock } from './stock';
import { nativeRuntime, runSplit } from './native/runtime';
import { MIN_COPY_PER_THREAD } from './PadV2';

/**
 * `Slice` for any rank as runs of contiguous memory copies.
 *
 * tfjs-backend-wasm 4.22 copies rank ≤ 4 row by row but falls back to a per-element TensorBuffer loop
 * for rank ≥ 5 — and `@residual/nn` subsamples (`x[:, ::2, ::2]`, ResNet's option-A shortcut and
 * strided convolutions) through a rank-6 slice, which made it the slowest kernel of a CIFAR ResNet
 * training step. Dimensions the slice takes whole are merged with their outer neighbour first, so the
 * copy loop runs over as few, as long runs as the slice allows. Float32 and int32 slices of up to 6 merged
 * dimensions are copied by native/copy.c (rows split across threads), the rest in JS.
 */
export function slice(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: SliceAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string' || x.dtype === 'complex64') return runStock(tf.Slice, args as never);
  const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size);
  const out = backend.makeOutput(size, x.dtype);
  if (size.some((s) => s === 0)) return out;
  const { shape, start, count } = mergeDims(x.shape, begin, size);
  if ((x.dtype === 'float32' || x.dtype === 'int32') && shape.length <= 6) {
    nativeCopy(backend, x, out, shape, start, count);
    return out;
  }
  // Views taken after makeOutput: allocating may grow (and detach) the wasm heap.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  copyRuns(src, dst, shape, start, count);
  return out;
}

/**
 * Collapses the slice to the fewest dimensions: drops size-1 input dims and folds every dim that is
 * taken whole into its outer neighbour (its stride then equals the outer dim's element size).
 */
export function mergeDims(
  xShape: number[],
  begin: number[],
  size: number[],
): { shape: number[]; start: number[]; count: number[] } {
  const shape: number[] = [];
  const start: number[] = [];
  const count: number[] = [];
  for (let i = 0; i < xShape.length; i++) {
    if (xShape[i] === 1) continue;
    const last = shape.length - 1;
    const whole = begin[i] === 0 && size[i] === xShape[i];
    if (last >= 0 && whole) {
      shape[last] *= xShape[i];
      start[last] *= xShape[i];
      count[last] *= xShape[i];
    } else {
      shape.push(xShape[i]);
      start.push(begin[i]);
      count.push(size[i]);
    }
  }
  if (shape.length === 0) return { shape: [1], start: [0], count: [1] };
  return { shape, start, count };
}

/** The slice as native/copy.c's `copy_box`: the innermost merged dim is the run, up to 5 outer dims. */
function nativeCopy(backend: BackendWasm, x: TensorInfo, out: TensorInfo, shape: number[], start: number[], count: number[]): void {
  const rt = nativeRuntime(backend);
  const [xp, op] = [x, out].map((t) => rt.offset(t.dataId));
  const rank = shape.length;
  const srcStrides = new Array<number>(rank);
  const dstStrides = new Array<number>(rank);
  srcStrides[rank - 1] = dstStrides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) {
    srcStrides[i] = srcStrides[i + 1] * shape[i + 1];
    dstStrides[i] = dstStrides[i + 1] * count[i + 1];
  }
  const base = start.reduce((a, s, i) => a + s * srcStrides[i], 0);
  const lead = (a: number[], fill: number) => [...Array<number>(6 - rank).fill(fill), ...a].slice(0, 5);
  const [n, ss, ds] = [lead(count, 1), lead(srcStrides, 0), lead(dstStrides, 0)];
  const run = count[rank - 1];
  const total = count.reduce((a, b) => a * b, 1);
  runSplit(rt, 'copy_box', total / run, Math.floor(total / MIN_COPY_PER_THREAD), (r0, r1) => [
    xp + 4 * base, op, run, ...n, ...ss, ...ds, r0, r1,
  ]);
}

type Typed = Float32Array | Int32Array | Uint8Array;

function copyRuns(
  src: Typed | ArrayLike<number>,
  dst: Typed | ArrayLike<number>,
  shape: number[],
  start: number[],
  count: number[],
): void {
  const s = src as Float32Array;
  const d = dst as Float32Array;
  const rank = shape.length;
  const run = count[rank - 1];
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  let base = 0;
  for (let i = 0; i < rank; i++) base += start[i] * strides[i];
  if (rank === 1) {
    d.set(s.subarray(base, base + run));
    return;
  }
  // Odometer over the outer dims; each step copies one run of `run` contiguous elements.
  const idx = new Array<number>(rank - 1).fill(0);
  let offset = base;
  let outOffset = 0;
  const total = d.length;
  const shortRun = run < 32;
  while (outOffset < total) {
    if (shortRun) {
      for (let k = 0; k < run; k++) d[outOffset + k] = s[offset + k];
    } else {
      d.set(s.subarray(offset, offset + run), outOffset);
    }
    outOffset += run;
    for (let dim = rank - 2; dim >= 0; dim--) {
      idx[dim]++;
      offset += strides[dim];
      if (idx[dim] < count[dim]) break;
      offset -= idx[dim] * strides[dim];
      idx[dim] = 0;
    }
  }
}

/** Kernel config for `tf.registerKernel`; `registerAllKernels()` swaps it in for the stock Slice. */
export const sliceConfig: KernelConfig = replacingConfig(tf.Slice, slice as unknown as KernelFunc);
