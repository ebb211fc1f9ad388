import type {
  Conv2DBackpropFilterAttrs,
  KernelConfig,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import {
  assertFloat32,
  conv2d,
  cropIfNeeded,
  matMul2d,
  release,
  reshape,
  transpose,
} from './kernel_util';
import { convGeometry, fitOutGrad, isPointwise, type ConvGeometry } from './conv_geometry';

/**
 * Gradient of `conv2d` with respect to its filter, computed as one XNNPACK convolution.
 *
 * dW[kh,kw,ci,co] = Σ_{n,ho,wo} x[n, ho·s+kh−pt, wo·s+kw−pl, ci] · dy[n,ho,wo,co]. Read with the batch
 * as the channel axis, that is a stride-1 correlation of x (as [Ci,H,W,N]) with dy (as the filter
 * [Ho,Wo,N,Co]) dilated by the forward stride: its output [Ci,KH,KW,Co] is dW up to a transpose.
 * Stride-1 1×1 convolutions without padding skip the convolution and use a single matrix product.
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

  // Work in NHWC; a channels-first caller pays two small transposes.
  const xNhwc = g.channelsFirst ? transpose(backend, x, [0, 2, 3, 1]) : x;
  const dyNhwc = g.channelsFirst ? transpose(backend, dy, [0, 2, 3, 1]) : dy;
  const ownsInputs = g.channelsFirst;
  try {
    // Strided 1×1 goes through the convolution too: subsampling x with tfjs-wasm's StridedSlice (a
    // scalar loop) costs more than the whole convolution.
    if (isPointwise(g) && g.sh === 1 && g.sw === 1) {
      return pointwiseFilterGrad(backend, xNhwc, dyNhwc, g);
    }
    return convFilterGrad(backend, xNhwc, dyNhwc, g);
  } finally {
    if (ownsInputs) release(backend, xNhwc, dyNhwc);
    if (dy !== dyIn) release(backend, dy);
  }
}

type Geometry = ConvGeometry;

function pointwiseFilterGrad(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, g: Geometry): TensorInfo {
  const { n, ho, wo, ci, co } = g;
  const x2 = reshape(backend, x, [n * ho * wo, ci]);
  const x2T = transpose(backend, x2, [1, 0]); // [Ci, M]
  release(backend, x2);
  const dy2 = reshape(backend, dy, [n * ho * wo, co]);
  const dw2 = matMul2d(backend, x2T, dy2);
  release(backend, x2T, dy2);
  const dw = reshape(backend, dw2, [1, 1, ci, co]);
  release(backend, dw2);
  return dw;
}

function convFilterGrad(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, g: Geometry): TensorInfo {
  const { ho, wo, kh, kw, sh, sw, padTop, padLeft } = g;
  let xT = transpose(backend, x, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]
  // Rows/columns of x past the last one any filter tap reads (e.g. the odd row of a stride-2 'same'
  // 1×1 conv) would only make the correlation compute outputs we crop away: drop them first.
  const usedH = kh + (ho - 1) * sh - padTop;
  const usedW = kw + (wo - 1) * sw - padLeft;
  const h = usedH > 0 && usedH < g.h ? usedH : g.h;
  const w = usedW > 0 && usedW < g.w ? usedW : g.w;
  xT = cropIfNeeded(backend, xT, [0, 0, 0, 0], [g.ci, h, w, g.n]);
  // Bottom/right pads chosen so the correlation yields at least KH×KW outputs; any extra rows
  // (or rows a negative pad would have removed) are cropped afterwards.
  const padBottom = Math.max(0, kh + (ho - 1) * sh - h - padTop);
  const padRight = Math.max(0, kw + (wo - 1) * sw - w - padLeft);
  let out = conv2d(backend, xT, dyT, { top: padTop, bottom: padBottom, left: padLeft, right: padRight }, [sh, sw]);
  release(backend, xT, dyT);
  out = cropIfNeeded(backend, out, [0, 0, 0, 0], [g.ci, kh, kw, g.co]);
  const dw = transpose(backend, out, [1, 2, 0, 3]); // [KH, KW, Ci, Co]
  release(backend, out);
  return dw;
}

/** Kernel config for `tf.registerKernel`; registered by `registerAllKernels()`. */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
