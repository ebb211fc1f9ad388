import type {
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import { assertFloat32, conv2d, cropIfNeeded, matMul2d, release, reshape, runWasmKernel, transpose } from './kernel_util';
import { convGeometry, fitOutGrad, isPointwise, type ConvGeometry } from './conv_geometry';

/**
 * Gradient of `conv2d` with respect to its input (also `conv2dTranspose`), computed as one XNNPACK
 * convolution instead of tfjs-backend-wasm's scalar loop.
 *
 * dx is the "full" correlation of dy — zero-inserted between pixels when the forward stride is > 1 —
 * with the filter rotated by 180° and its in/out channels swapped. Pads are chosen so the result
 * lines up with x; where a pad would be negative the result is cropped instead.
 * 1×1 convolutions without padding use a single matrix product.
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
    dx = isPointwise(g) ? pointwiseInputGrad(backend, dyNhwc, filter, g) : convInputGrad(backend, dyNhwc, filter, g);
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
