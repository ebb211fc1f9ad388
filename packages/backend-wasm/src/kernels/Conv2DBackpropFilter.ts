import type {
  Conv2DBackpropFilterAttrs,
  KernelConfig,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import { assertFloat32, release, transpose } from './kernel-util';
import { convGeometry, fitOutGrad, type ConvGeometry } from './conv-geometry';
import { nativeRuntime, runSplit } from './native/runtime';
import { scratchAllocator, useWinograd, winogradTile } from './Conv2D';

/**
 * Gradient of `conv2d` with respect to its filter, by our own wasm SIMD kernel (native/filter_grad.c).
 *
 * dW[kh,kw,ci,co] = Σ_{n,ho,wo} x[n, ho·s+kh−pt, wo·s+kw−pl, ci] · dy[n,ho,wo,co], read straight from the
 * NHWC tensors in tfjs's heap (no im2col, no transposes), block by block of output rows so each block's
 * pixels stay in cache while every tap and channel tile sweeps them. With the threaded build the blocks
 * are split across threads, each summing into a private partial filter, and the partials are added.
 * (Until 0.2 this was one XNNPACK convolution with the batch as channels: 3× slower than the forward
 * convolution, see docs/performance.md.) Where the forward convolution runs as Winograd, the filter
 * gradient runs as its transpose: F(3×3, 2×2) (native/winograd_filter_grad.c, 16 multiply-adds per 2×2 output
 * tile and channel pair instead of 36) or F(3×3, 4×4) (native/winograd4_filter_grad.c, 36 per 4×4 tile).
 */
export function conv2DBackpropFilter(args: {
  inputs: NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const { x, dy: dyIn } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  assertFloat32('Conv2DBackpropFilter', 'x', x);
  assertFloat32('Conv2DBackpropFilter', 'dy', dyIn);
  const g = convGeometry('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  const dy = fitOutGrad('Conv2DBackpropFilter', backend, dyIn, g);
  // Work in NHWC; a channels-first caller pays two transposes.
  const xNhwc = g.channelsFirst ? transpose(backend, x, [0, 2, 3, 1]) : x;
  const dyNhwc = g.channelsFirst ? transpose(backend, dy, [0, 2, 3, 1]) : dy;
  try {
    return useWinograd(g) ? winogradFilterGrad(backend, xNhwc, dyNhwc, g) : nativeFilterGrad(backend, xNhwc, dyNhwc, g);
  } finally {
    if (g.channelsFirst) release(backend, xNhwc, dyNhwc);
    if (dy !== dyIn) release(backend, dy);
  }
}

/** Output pixels per unit of work: enough to amortise loading the accumulators, few enough to stay in cache. */
const PIXELS_PER_UNIT = 256;

function nativeFilterGrad(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const rt = nativeRuntime(backend);
  const out = backend.makeOutput([g.kh, g.kw, g.ci, g.co], 'float32');
  if (g.kh * g.kw * g.ci * g.co === 0) return out;
  const rowsPerUnit = Math.max(1, Math.min(g.ho, Math.floor(PIXELS_PER_UNIT / Math.max(1, g.wo))));
  const geom = [g.n, g.h, g.w, g.ci, g.ho, g.wo, g.co, g.kh, g.kw, g.sh, g.sw, g.padTop, g.padLeft];
  const xp = rt.offset(x.dataId);
  const dyp = rt.offset(dy.dataId);
  const dwp = rt.offset(out.dataId);
  const items = rt.exports.fg_items(g.co, g.kh, g.kw);
  // Threads split the filter, never the sum: results do not depend on the thread count.
  runSplit(rt, 'fg_run', items, items, (i0, i1) => [xp, dyp, dwp, i0, i1, rowsPerUnit, ...geom]);
  return out;
}

/**
 * dW by F(3×3, 4×4) (native/winograd4_filter_grad.c) where the forward runs as F(4×4, 3×3), else by F(3×3, 2×2)
 * (native/winograd_filter_grad.c): the tiles are cut into chunks whose number depends only on the sizes, each
 * chunk sums its tiles into accumulators of its own, threads take whole chunks, and the finish adds the
 * chunks in order: the same bits on any number of threads.
 */
function winogradFilterGrad(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const rt = nativeRuntime(backend);
  const out = backend.makeOutput([3, 3, g.ci, g.co], 'float32');
  const tile = winogradTile(g) === 4 ? 4 : 2;
  const positions = (tile + 2) ** 2;
  const tiles = g.n * Math.ceil(g.ho / tile) * Math.ceil(g.wo / tile);
  const dwp = rt.offset(out.dataId);
  if (tiles === 0 || g.co === 0) {
    // No tiles: a zero gradient (and the chunk count divides by Ci·Co).
    backend.typedArrayFromHeap(out).fill(0);
    return out;
  }
  const native = tile === 4
    ? { chunks: rt.exports.wgf4_chunks, scratch: rt.exports.wgf4_scratch, run: 'wgf4_run', finish: 'wgf4_finish' } as const
    : { chunks: rt.exports.wgf_chunks, scratch: rt.exports.wgf_scratch, run: 'wgf_run', finish: 'wgf_finish' } as const;
  const blocks: number[] = [];
  const alloc = scratchAllocator(rt, blocks, 'Conv2DBackpropFilter');
  try {
    // x unpadded: the kernels gather a border tile's patch with its zeros (native/winograd.h's tilePatch).
    const xp = rt.offset(x.dataId);
    const dyp = rt.offset(dy.dataId);
    const chunks = native.chunks(tiles, g.ci, g.co);
    const acc = alloc(4 * chunks * positions * g.ci * g.co);
    const perRange = native.scratch(g.ci, g.co);
    const ranges = Math.min(rt.pool?.threads ?? 1, chunks);
    const scratchBase = alloc(perRange * ranges);
    // runSplit asks for each range's arguments once, in order: the k-th range gets the k-th scratch.
    let range = 0;
    runSplit(rt, native.run, chunks, ranges, (c0, c1) => [
      xp, dyp, acc, scratchBase + perRange * range++, c0, c1, chunks, g.n, g.h, g.w, g.padTop, g.padLeft, g.ci, g.ho, g.wo, g.co,
    ]);
    runSplit(rt, native.finish, g.ci, Infinity, (ci0, ci1) => [acc, dwp, chunks, ci0, ci1, g.ci, g.co]);
  } finally {
    for (const p of blocks) rt.free(p);
  }
  return out;
}

/** Kernel config for `tf.registerKernel`; registered by `registerAllKernels()`. */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
