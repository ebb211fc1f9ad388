import * as tf from '@tensorflow/tfjs-core';
import { hasKernel } from '../kernel-replacement';
import { ReluGrad } from './relu-grad';

/**
 * Kernel: `act(conv2d(x, filter) + bias + residual)` in NHWC as one kernel, the end of a residual block
 * whose BatchNorm is folded into the convolution. Inputs `x`, `filter` (HWIO), `residual` (shaped like
 * the output) and optionally `bias`; attrs {@link ResidualConv2DAttrs}. Backends that lack it get
 * `tf.fused.conv2d`, `tf.add` and `tf.relu` instead (see {@link residualConv2d}).
 */
export const ResidualConv2D = 'ResidualConv2D';

/** Attributes of {@link ResidualConv2D}: those of `tf.fused.conv2d` that it supports. */
export interface ResidualConv2DAttrs {
  strides: [number, number];
  /** `'same'`, `'valid'`, a number, or explicit NHWC pads `[[0, 0], [top, bottom], [left, right], [0, 0]]`. */
  pad: 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
  /** Applied last, after the residual addition. */
  activation: 'linear' | 'relu';
  /** How a numeric `pad` rounds output sizes (as `tf.conv2d`). */
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The arguments of {@link residualConv2d}. */
export interface ResidualConv2DArgs {
  x: tf.Tensor4D;
  filter: tf.Tensor4D;
  /** Added to the convolution before the residual, one value per output channel. */
  bias?: tf.Tensor1D | null;
  /** Added after the bias, before the activation; same shape as the convolution's output. */
  residual: tf.Tensor4D;
  strides?: number | [number, number];
  pad: ResidualConv2DAttrs['pad'];
  /** @defaultValue 'relu' */
  activation?: 'linear' | 'relu';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * `act(conv2d(x, filter) + bias + residual)`: a residual block's last convolution (BatchNorm folded into
 * it), its shortcut addition and its ReLU as one {@link ResidualConv2D} kernel where the backend has one
 * (wasm, with `@residual/backend-wasm`), else `tf.relu(tf.add(tf.fused.conv2d(...), residual))`. The
 * operations and their order are the same, so both give the same float32 values. Its gradient is that
 * of the op chain.
 *
 * @example
 * ```ts
 * const y = residualConv2d({ x: h, filter: w2, bias: b2, residual: shortcut, strides: 1, pad: 'same' });
 * ```
 */
export function residualConv2d(args: ResidualConv2DArgs): tf.Tensor4D {
  const { x, filter, residual } = args;
  const bias = args.bias ?? null;
  const s = args.strides ?? 1;
  const attrs: ResidualConv2DAttrs = {
    strides: typeof s === 'number' ? [s, s] : s,
    pad: args.pad,
    activation: args.activation ?? 'relu',
    ...(args.dimRoundingMode ? { dimRoundingMode: args.dimRoundingMode } : {}),
  };
  if (x.rank !== 4 || filter.rank !== 4 || residual.rank !== 4) {
    throw new Error(`residualConv2d: x, filter and residual must be rank 4, got ranks ${x.rank}, ${filter.rank}, ${residual.rank}`);
  }
  if (!hasKernel(ResidualConv2D)) return residualConv2dChain(x, filter, bias, residual, attrs);
  const inputs: tf.NamedTensorMap = bias ? { x, filter, bias, residual } : { x, filter, residual };
  return tf.engine().runKernel(ResidualConv2D, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** The op chain {@link ResidualConv2D} stands for (the fallback on backends without the kernel). */
function residualConv2dChain(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  residual: tf.Tensor4D,
  attrs: ResidualConv2DAttrs,
): tf.Tensor4D {
  return tf.tidy(() => {
    const conv = tf.fused.conv2d({
      x,
      filter,
      bias: bias ?? undefined,
      strides: attrs.strides,
      pad: attrs.pad,
      dimRoundingMode: attrs.dimRoundingMode,
    });
    if (conv.rank !== 4 || conv.shape.some((d, i) => d !== residual.shape[i])) {
      throw new Error(`residualConv2d: residual has shape [${residual.shape.join(', ')}], the convolution gives [${conv.shape.join(', ')}]`);
    }
    const sum = tf.add(conv, residual) as tf.Tensor4D;
    return attrs.activation === 'relu' ? tf.relu(sum) : sum;
  });
}

/**
 * Gradient of {@link ResidualConv2D}: with `dz = dy · step(y)` after a ReLU (y > 0 exactly where the sum
 * before it is), dz is the residual's gradient, its sum over N, H, W the bias's, and the convolution's
 * gradient kernels give x's and the filter's, as tfjs's own `FusedConv2D` gradient does.
 */
export const residualConv2dGradConfig: tf.GradConfig = {
  kernelName: ResidualConv2D,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const a = attrs as unknown as ResidualConv2DAttrs;
    const [x, filter, y] = saved as tf.Tensor4D[];
    const d = dy as tf.Tensor4D;
    // The ReLU's gradient from its output (y > 0 exactly where its input is; a NaN y keeps dz NaN).
    const reluGrad = () =>
      (hasKernel(ReluGrad) ? tf.engine().runKernel(ReluGrad, { dy: d, x: y }) : tf.mul(d, tf.cast(tf.step(y), 'float32'))) as tf.Tensor4D;
    const dz = a.activation === 'relu' ? reluGrad() : d;
    const conv = { strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dimRoundingMode: a.dimRoundingMode };
    return {
      x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter }, { ...conv, inputShape: x.shape } as never) as tf.Tensor,
      filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...conv, filterShape: filter.shape } as never) as tf.Tensor,
      bias: () => tf.sum(dz, [0, 1, 2]),
      residual: () => dz,
    };
  },
};
