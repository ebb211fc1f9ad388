import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo, TileAttrs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import { replacingConfig, runStock } from './stock';

type Heap = ReturnType<BackendWasm['typedArrayFromHeap']>;

/**
 * `Tile` as block copies. tfjs-backend-wasm 4.22 computes every output element's source index one at a
 * time. Broadcasting a `[128, 1, 1, 64]` gradient over an 8×8 map (`broadcastTo`, the mean's gradient of a
 * ResNet's global average pool) took it 24 ms, a tenth of a training step. Here each input row is copied once.
 * Then each finished block is doubled in place with `copyWithin` until it fills its repeats: about
 * log2(reps) memory moves per block, at memmove speed.
 */
export function tile(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: TileAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'complex64') return runStock(tf.Tile, args as never);
  const reps = Array.from(attrs.reps);
  const outShape = x.shape.map((s, i) => s * reps[i]);
  // Strings live in JS, not in the heap (the stock kernel aborts on them): index by index.
  if (x.dtype === 'string') return backend.makeOutput(outShape, 'string', undefined, tileStrings(backend.readSync(x.dataId) as Uint8Array[], x.shape, outShape));
  const out = backend.makeOutput(outShape, x.dtype);
  if (outShape.some((s) => s === 0)) return out;
  const { shape, rep } = mergeDims(x.shape, reps);
  // Views taken after makeOutput: allocating may grow (and detach) the wasm heap.
  fillTiles(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out), shape, rep);
  return out;
}

/** Drops size-1 dims repeated once and merges neighbours that are both repeated once (a rank-0 x becomes [1]). */
export function mergeDims(xShape: readonly number[], reps: readonly number[]): { shape: number[]; rep: number[] } {
  const shape: number[] = [];
  const rep: number[] = [];
  for (let i = 0; i < xShape.length; i++) {
    if (xShape[i] === 1 && reps[i] === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && rep[last] === 1 && reps[i] === 1) shape[last] *= xShape[i];
    else {
      shape.push(xShape[i]);
      rep.push(reps[i]);
    }
  }
  return shape.length ? { shape, rep } : { shape: [1], rep: [1] };
}

function fillTiles(src: Heap, dst: Heap, shape: number[], rep: number[]): void {
  const rank = shape.length;
  const innerIn = new Array<number>(rank).fill(1);
  const innerOut = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) {
    innerIn[d] = innerIn[d + 1] * shape[d + 1];
    innerOut[d] = innerOut[d + 1] * shape[d + 1] * rep[d + 1];
  }
  const build = (d: number, from: number, to: number): void => {
    if (d === rank - 1) dst.set(src.subarray(from, from + shape[d]), to);
    else for (let i = 0; i < shape[d]; i++) build(d + 1, from + i * innerIn[d], to + i * innerOut[d]);
    repeat(dst, to, shape[d] * innerOut[d], rep[d]);
  };
  build(0, 0, 0);
}

function tileStrings(values: Uint8Array[], shape: number[], outShape: number[]): Uint8Array[] {
  const size = outShape.reduce((a, b) => a * b, 1);
  const out = new Array<Uint8Array>(size);
  for (let e = 0; e < size; e++) {
    let rem = e;
    let from = 0;
    let stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      from += (rem % outShape[d] % shape[d]) * stride;
      rem = Math.floor(rem / outShape[d]);
      stride *= shape[d];
    }
    out[e] = values[from];
  }
  return out;
}

/** Repeats buf[start, start + len) `times` times in place, doubling what is already written. */
function repeat(buf: Heap, start: number, len: number, times: number): void {
  const total = len * times;
  for (let filled = len; filled < total; ) {
    const n = Math.min(filled, total - filled);
    buf.copyWithin(start + filled, start, start + n);
    filled += n;
  }
}

export const tileConfig: KernelConfig = replacingConfig(tf.Tile, tile as unknown as KernelFunc);
