import type {
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import { assertFloat32, conv2d, cropIfNeeded, matMul2d, release, reshape, runWasmKernel, transpose } from './kernel-util';
import { convGeometry, fitOutGrad, isPointwise, type ConvGeometry } from './conv-geometry';
import { paddedInput, scratchAllocator } from './Conv2D';
import { backendMemory, nativeRuntime, runSplit } from './native/runtime';

/**
 * Gradient of `conv2d` with respect to its input (also `conv2dTranspose`), computed as one XNNPACK
 * convolution instead of tfjs-backend-wasm's scalar loop.
 *
 * dx is the "full" correlation of dy with the filter rotated by 180° and its in/out channels
 * swapped. Pads are chosen so the result lines up with x; where a pad would be negative the result
 * is cropped instead. Square strides > 1 run phase by phase ({@link phasedInputGrad}),
 * non-square ones zero-insert dy first; 1×1 convolutions without padding use a matrix product.
 */
export function conv2DBackpropInput(args: {
  inputs: NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const { dy: dyIn, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  assertFloat32('Conv2DBackpropInput', 'dy', dyIn);
  assertFloat32('Conv2DBackpropInput', 'filter', filter);
  const g = convGeometry('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
  const dy = fitOutGrad('Conv2DBackpropInput', backend, dyIn, g);

  const dyNhwc = g.channelsFirst ? transpose(backend, dy, [0, 2, 3, 1]) : dy;
  let dx: TensorInfo;
  try {
    if (isPointwise(g)) dx = pointwiseInputGrad(backend, dyNhwc, filter, g);
    else if (g.sh === g.sw && g.sh > 1) dx = phasedInputGrad(backend, dyNhwc, filter, g);
    else dx = convInputGrad(backend, dyNhwc, filter, g);
  } finally {
    if (dyNhwc !== dy) release(backend, dyNhwc);
    if (dy !== dyIn) release(backend, dy);
  }
  if (!g.channelsFirst) return dx;
  const dxNchw = transpose(backend, dx, [0, 3, 1, 2]);
  release(backend, dx);
  return dxNchw;
}

function pointwiseInputGrad(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const { n, ho, wo, ci, co } = g;
  const dy2 = reshape(backend, dy, [n * ho * wo, co]);
  const w2 = reshape(backend, filter, [ci, co]);
  const w2T = transpose(backend, w2, [1, 0]);
  release(backend, w2);
  const z2 = matMul2d(backend, dy2, w2T); // [N·Ho·Wo, Ci]
  release(backend, dy2, w2T);
  const z = reshape(backend, z2, [n, ho, wo, ci]);
  release(backend, z2);
  if (g.sh === 1 && g.sw === 1) return z;
  const dx = fitRows(backend, zeroInsert(backend, z, g.sh, g.sw), g.h, g.w);
  release(backend, z);
  return dx;
}

function convInputGrad(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const { h, w, kh, kw, padTop, padLeft } = g;
  const u = g.sh === 1 && g.sw === 1 ? dy : zeroInsert(backend, dy, g.sh, g.sw);
  const rotated = adjointFilter(backend, filter, g);

  const lh = u.shape[1];
  const lw = u.shape[2];
  const top = kh - 1 - padTop;
  const bottom = h - lh + padTop;
  const left = kw - 1 - padLeft;
  const right = w - lw + padLeft;
  const pads = { top: Math.max(top, 0), bottom: Math.max(bottom, 0), left: Math.max(left, 0), right: Math.max(right, 0) };
  const out = conv2d(backend, u, rotated, pads);
  release(backend, rotated);
  if (u !== dy) release(backend, u);
  return cropIfNeeded(backend, out, [0, pads.top - top, pads.left - left, 0], [g.n, h, w, g.ci]);
}

/**
 * The filter of the adjoint convolution: w rotated by 180° and its in/out channels swapped,
 * out[KH-1-i][KW-1-j][co][ci] = w[i][j][ci][co], in one pass on the host. (tfjs-backend-wasm's Reverse took
 * 1.7 ms for a 3×3×64×64 filter, half the convolution it fed; this loop is under 0.1 ms.)
 */
function adjointFilter(backend: BackendWasm, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const { kh, kw, ci, co } = g;
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  // Views taken after makeOutput: allocating may have grown (and detached) the heap.
  const src = backend.typedArrayFromHeap(filter) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const from = (i * kw + j) * ci * co;
      const to = ((kh - 1 - i) * kw + (kw - 1 - j)) * co * ci;
      for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) dst[to + o * ci + c] = src[from + c * co + o];
    }
  }
  return out;
}

/**
 * dx for a square stride s > 1, phase by phase (native/conv2d.c's dxp_run). Input row i + pad = q·s + r only
 * meets filter rows k ≡ r (mod s), so each of the s² phases (r_h, r_w) of dx is a stride-1 correlation of dy
 * with its own sub-filter of ⌈(K − r)/s⌉ taps a side, written straight into dx: no zero taps, no transpose
 * and no crop. The sub-filters are rotated by 180° and channel-swapped here, on the host (they are small).
 */
function phasedInputGrad(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const { n, h, w, ci, co, kh, kw, ho, wo, padTop: pt, padLeft: pl } = g;
  const s = g.sh;
  const rt = nativeRuntime(backend);
  const dx = backend.makeOutput([n, h, w, ci], 'float32');
  if (n * h * w * ci === 0) return dx;
  if (co === 0 || ho * wo === 0) {
    backend.typedArrayFromHeap(dx).fill(0);
    return dx;
  }
  // dy padded once for every phase: the largest phase's taps − 1 zero rows and columns before it, and
  // after it as far as the last phase row reads.
  const mhMax = Math.ceil(kh / s);
  const mwMax = Math.ceil(kw / s);
  const hq = mhMax - 1 + Math.max(ho, Math.floor((h - 1 + pt) / s) + 1);
  const wq = mwMax - 1 + Math.max(wo, Math.floor((w - 1 + pl) / s) + 1);
  const wv = backend.readSync(filter.dataId) as Float32Array;
  const scratch: number[] = [];
  const alloc = scratchAllocator(rt, scratch, 'Conv2DBackpropInput');
  try {
    const dyGeom = { ...g, h: ho, w: wo, ci: co, padTop: mhMax - 1, padLeft: mwMax - 1 };
    const dyp = paddedInput(rt, rt.offset(dy.dataId), dyGeom, hq, wq, alloc);
    const dxp = rt.offset(dx.dataId);
    for (let rh = 0; rh < s; rh++) {
      for (let rw = 0; rw < s; rw++) {
        // The phase's first row and column of dx, its rows and columns per image, and its taps.
        const r0 = (((rh - pt) % s) + s) % s;
        const c0 = (((rw - pl) % s) + s) % s;
        const rows = r0 < h ? Math.ceil((h - r0) / s) : 0;
        const cols = c0 < w ? Math.ceil((w - c0) / s) : 0;
        const mh = rh < kh ? Math.ceil((kh - rh) / s) : 0;
        const mw = rw < kw ? Math.ceil((kw - rw) / s) : 0;
        const total = n * rows * cols;
        if (total === 0) continue;
        if (mh === 0 || mw === 0) {
          // No filter tap reaches these pixels (a filter smaller than the stride): their gradient is 0. (A
          // fresh view: the heap may have grown since.)
          const dxValues = backend.typedArrayFromHeap(dx) as Float32Array;
          for (let i = 0; i < n * rows; i++) {
            const base = ((Math.floor(i / rows) * h + r0 + s * (i % rows)) * w + c0) * ci;
            for (let j = 0; j < cols; j++) dxValues.fill(0, base + j * s * ci, base + j * s * ci + ci);
          }
          continue;
        }
        const taps = mh * mw * co;
        const sub = new Float32Array(taps * ci);
        for (let th = 0; th < mh; th++) {
          for (let tw = 0; tw < mw; tw++) {
            const src = ((rh + s * (mh - 1 - th)) * kw + rw + s * (mw - 1 - tw)) * ci * co;
            const dst = (th * mw + tw) * co * ci;
            for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) sub[dst + o * ci + c] = wv[src + c * co + o];
          }
        }
        const subp = alloc(4 * sub.length);
        new Float32Array(backendMemory(backend).buffer, subp, sub.length).set(sub);
        const packed = alloc(4 * taps * (ci & ~7));
        rt.exports.conv_pack(subp, packed, taps, ci);
        const offs = alloc(8 * total);
        runSplit(rt, 'dxp_run', total, Math.floor(total / MIN_PIXELS_PER_THREAD), (p0, p1) => [
          dyp, subp, packed, dxp, offs, p0, p1, rows, cols, r0, c0, s, pt, pl, hq, wq, mhMax, mwMax, mh, mw, h, w, co, ci,
        ]);
      }
    }
  } finally {
    for (const p of scratch) rt.free(p);
  }
  return dx;
}

// Phase pixels per thread, at least: a 4×8 tile is ~1 µs of work.
const MIN_PIXELS_PER_THREAD = 256;

/**
 * [N,Ho,Wo,C] → [N,Ho·sh,Wo·sw,C] with dy's pixels at multiples of the stride and zeros between (and
 * after the last one, which the callers' pad arithmetic accounts for).
 */
function zeroInsert(backend: BackendWasm, x: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, ho, wo, c] = x.shape as [number, number, number, number];
  const x6 = reshape(backend, x, [n, ho, 1, wo, 1, c]);
  const padded = runWasmKernel(backend, 'PadV2', { x: x6 }, {
    paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
    constantValue: 0,
  });
  release(backend, x6);
  const out = reshape(backend, padded, [n, ho * sh, wo * sw, c]);
  release(backend, padded);
  return out;
}

/** Crops or zero-pads rows/columns at the bottom/right so x is [N,h,w,C]; consumes x. */
function fitRows(backend: BackendWasm, x: TensorInfo, h: number, w: number): TensorInfo {
  const [n, xh, xw, c] = x.shape as [number, number, number, number];
  let out = cropIfNeeded(backend, x, [0, 0, 0, 0], [n, Math.min(h, xh), Math.min(w, xw), c]);
  if (h > xh || w > xw) {
    const padded = runWasmKernel(backend, 'PadV2', { x: out }, {
      paddings: [[0, 0], [0, Math.max(0, h - xh)], [0, Math.max(0, w - xw)], [0, 0]],
      constantValue: 0,
    });
    release(backend, out);
    out = padded;
  }
  return out;
}

/**
 * Kernel config for `tf.registerKernel`; `registerAllKernels()` swaps it in for tfjs-backend-wasm's
 * own Conv2DBackpropInput.
 */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
