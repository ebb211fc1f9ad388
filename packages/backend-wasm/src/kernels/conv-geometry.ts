import type { Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import { runWasmKernel } from './kernel-util';

/** The sizes both conv backprop kernels need, in NHWC terms whatever the caller's data format. */
export interface ConvGeometry {
  channelsFirst: boolean;
  n: number;
  h: number;
  w: number;
  ci: number;
  ho: number;
  wo: number;
  co: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  /** Zeros the forward convolution added above / left of x (bottom/right follow from the sizes). */
  padTop: number;
  padLeft: number;
}

/**
 * Resolves strides, pad ('same' | 'valid' | number | explicit) and dimRoundingMode exactly as the
 * forward convolution and tfjs's cpu backprop kernels do (tfjs-core's `computeConv2DInfo`).
 */
export function convGeometry(
  kernel: string,
  xShape: number[],
  filterShape: number[],
  attrs: Conv2DBackpropFilterAttrs | Conv2DBackpropInputAttrs,
): ConvGeometry {
  const where = `@residual/backend-wasm (kernels/${kernel}.ts)`;
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${where}: expected rank-4 input and filter shapes, got [${xShape}] and [${filterShape}]`);
  }
  // tfjs's gradient of conv2d refuses dilations > 1, and the cpu kernels hard-code 1; a caller
  // passing them straight to the kernel would otherwise get silently wrong numbers.
  const dil = (attrs as { dilations?: number | [number, number] }).dilations;
  if (dil !== undefined && (Array.isArray(dil) ? dil.some((d) => d !== 1) : dil !== 1)) {
    throw new Error(`${where}: dilations > 1 are not supported in conv2d gradients (got ${JSON.stringify(dil)})`);
  }
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC');
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    dataFormat,
  );
  return {
    channelsFirst: info.dataFormat === 'channelsFirst',
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    ci: info.inChannels,
    ho: info.outHeight,
    wo: info.outWidth,
    co: info.outChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Checks dy against the convolution's output shape. tfjs's conv2d gradient does not forward
 * `dimRoundingMode`, so with a numeric pad and 'ceil'/'round' dy can be larger than the shape the
 * kernel computes; like tfjs's cpu kernels we then use only its leading rows/columns. Returns dy
 * itself or a cropped copy (which the caller releases).
 */
export function fitOutGrad(kernel: string, backend: BackendWasm, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const expected = g.channelsFirst ? [g.n, g.co, g.ho, g.wo] : [g.n, g.ho, g.wo, g.co];
  const spatial = g.channelsFirst ? [2, 3] : [1, 2];
  const ok =
    dy.shape.length === 4 &&
    dy.shape.every((d, i) => (spatial.includes(i) ? d >= expected[i] : d === expected[i]));
  if (!ok) {
    throw new Error(
      `@residual/backend-wasm (kernels/${kernel}.ts): dy has shape [${dy.shape}] but the convolution's output ` +
        `shape is [${expected}]`,
    );
  }
  if (dy.shape.every((d, i) => d === expected[i])) return dy;
  return runWasmKernel(backend, 'Slice', { x: dy }, { begin: [0, 0, 0, 0], size: expected });
}

/** 1×1, no top/left padding, and every output reads a real input pixel (no bottom/right padding used). */
export function isPointwise(g: ConvGeometry): boolean {
  return (
    g.kh === 1 && g.kw === 1 && g.padTop === 0 && g.padLeft === 0 &&
    (g.ho - 1) * g.sh < g.h && (g.wo - 1) * g.sw < g.w
  );
}
