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

/**
 * Gradient of `conv2d` with respect to its input (also `conv2dTranspose`), computed as one XNNPACK
 * convolution instead of tfjs-backend-wasm's scalar loop.
 *
 * dx is the "full" correlation of dy with the filter rotated by 180° and its in/out channels
 * swapped. Pads are chosen so the result lines up with x; where a pad would be negative the result
 * is cropped instead. Square strides > 1 use the sub-pixel form ({@link subPixelInputGrad}),
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
    else if (g.sh === g.sw && g.sh > 1) dx = subPixelInputGrad(backend, dyNhwc, filter, g);
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
  // Rotating by 180° and swapping in/out channels turns the forward filter into the adjoint's.
  const swapped = transpose(backend, filter, [0, 1, 3, 2]);
  const rotated = runWasmKernel(backend, 'Reverse', { x: swapped }, { dims: [0, 1] });
  release(backend, swapped);

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
 * dx for a square stride s > 1 without zero-insertion, which would waste (s²−1)/s² of the work.
 *
 * Input row i (+ pad) = q·s + r only meets filter rows k ≡ r (mod s), so each of the s² output
 * phases (r_h, r_w) is a stride-1 correlation of dy with a ⌈K/s⌉-sized sub-filter. All phases run
 * as one convolution with s²·Ci output channels — sub-filters zero-padded at the front to a common
 * size so they share one set of pads — and a depth-to-space transpose interleaves the phases.
 */
function subPixelInputGrad(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const { n, h, w, ci, kh, kw, ho, wo, padTop, padLeft } = g;
  const s = g.sh;
  const mh = Math.ceil(kh / s);
  const mw = Math.ceil(kw / s);
  const phases = subPixelFilter(backend, filter, s, mh, mw, g);
  const rows = Math.ceil((h + padTop) / s);
  const cols = Math.ceil((w + padLeft) / s);
  const pads = { top: mh - 1, bottom: Math.max(0, rows - ho), left: mw - 1, right: Math.max(0, cols - wo) };
  const blocks = conv2d(backend, dy, phases, pads); // [N, ≥rows, ≥cols, s²·Ci]
  release(backend, phases);
  // Depth-to-space as one rank-4 transpose ([N·Q, Q', rh, rw·Ci] → [N·Q, rh, Q', rw·Ci]); tfjs-wasm's
  // DepthToSpace kernel is a scalar loop, ~100× slower here.
  const [, q, qw] = blocks.shape;
  const grouped = reshape(backend, blocks, [n * q, qw, s, s * ci]);
  release(backend, blocks);
  const interleaved = transpose(backend, grouped, [0, 2, 1, 3]);
  release(backend, grouped);
  const full = reshape(backend, interleaved, [n, q * s, qw * s, ci]);
  release(backend, interleaved);
  return cropIfNeeded(backend, full, [0, padTop, padLeft, 0], [n, h, w, ci]);
}

/**
 * F[jh, jw, co, (rh·s + rw)·Ci + ci] = w[rh + s·(mh−1−jh), rw + s·(mw−1−jw), ci, co] where that
 * filter tap exists, else 0: every phase's sub-filter, rotated by 180° and channel-swapped.
 */
function subPixelFilter(backend: BackendWasm, filter: TensorInfo, s: number, mh: number, mw: number, g: ConvGeometry): TensorInfo {
  const { kh, kw, ci, co } = g;
  const wv = backend.readSync(filter.dataId) as Float32Array;
  const outC = s * s * ci;
  const f = new Float32Array(mh * mw * co * outC);
  for (let jh = 0; jh < mh; jh++) {
    for (let jw = 0; jw < mw; jw++) {
      for (let rh = 0; rh < s; rh++) {
        const th = rh + s * (mh - 1 - jh);
        if (th >= kh) continue;
        for (let rw = 0; rw < s; rw++) {
          const tw = rw + s * (mw - 1 - jw);
          if (tw >= kw) continue;
          const src = (th * kw + tw) * ci * co;
          const dstBase = (jh * mw + jw) * co * outC + (rh * s + rw) * ci;
          for (let c = 0; c < ci; c++) {
            for (let o = 0; o < co; o++) f[dstBase + o * outC + c] = wv[src + c * co + o];
          }
        }
      }
    }
  }
  const out = backend.makeOutput([mh, mw, co, outC], 'float32');
  backend.typedArrayFromHeap(out).set(f);
  return out;
}

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
