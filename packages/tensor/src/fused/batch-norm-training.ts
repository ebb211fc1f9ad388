import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernel: training-mode batch norm of NHWC `x` over its channels in one kernel. Inputs `x`, `scale` (γ),
 * `offset` (β) and, optionally, `residual` (added after the normalisation); attrs
 * {@link BatchNormTrainingAttrs} (with `relu`, a ReLU ends it); outputs `[y, mean, variance]` (the batch's
 * mean and biased variance, shape `[C]`), and a backend may add a fourth, `reluMask`: an opaque int32 encoding
 * of the ReLU's gradient mask that its {@link BatchNormTrainingGrad} reads instead of `y`. Backends that lack
 * it get tfjs op chains instead (see `hasKernel`).
 */
export const BatchNormTraining = 'BatchNormTraining';
/**
 * Kernel: the backward pass of {@link BatchNormTraining}. Inputs `dy`, `x`, `mean`, `variance`, `scale`,
 * and `y` (the forward's output) when the forward ended in a ReLU, with `reluMask` when the forward gave one;
 * outputs `[dx, dScale, dOffset]`, and `dResidual` fourth when `attrs.residual`.
 */
export const BatchNormTrainingGrad = 'BatchNormTrainingGrad';

/** Attributes of {@link BatchNormTraining} and {@link BatchNormTrainingGrad}. */
export interface BatchNormTrainingAttrs {
  /** Added to the variance before the square root. */
  epsilon: number;
  /** A ReLU after the normalisation (and the residual addition). @defaultValue false */
  relu?: boolean;
  /** Whether the forward had a `residual` input (its gradient is then the fourth output). @defaultValue false */
  residual?: boolean;
}

/** What follows the normalisation inside {@link batchNormTraining}'s kernel. */
export interface BatchNormTrainingOptions {
  /** Added to the normalised values (a residual block's shortcut), same shape as `x`. */
  residual?: tf.Tensor4D | null;
  /** Apply a ReLU last: `y = relu(bn(x) + residual)`. @defaultValue false */
  relu?: boolean;
}

/**
 * Training-mode batch normalisation as one kernel: `y = (x − mean) / √(variance + ε) · scale + offset`
 * with the batch's statistics over every axis but the last, and its gradient with respect to `x`,
 * `scale` and `offset` as one kernel too. With `options`, a residual addition and a ReLU run in the
 * same passes, `y = relu(bn(x) + residual)`, bit for bit the values of the separate kernels (a NaN stays
 * NaN through the ReLU). Only on backends where `hasKernel(BatchNormTraining)`; `@residual/nn`'s
 * BatchNorm2d uses it there and falls back to op chains elsewhere. `mean` and `variance` are for the
 * running statistics: no gradient flows through them.
 *
 * @example
 * ```ts
 * const { y, mean, variance } = batchNormTraining(tf.randomNormal([8, 4, 4, 16]), gamma, beta, 1e-5);
 * const out = batchNormTraining(branch, gamma, beta, 1e-5, { residual: shortcut, relu: true }).y;
 * ```
 */
export function batchNormTraining(
  x: tf.Tensor4D,
  scale: tf.Tensor1D | null,
  offset: tf.Tensor1D | null,
  epsilon: number,
  options: BatchNormTrainingOptions = {},
): { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const c = x.shape[3];
  const residual = options.residual ?? null;
  const relu = options.relu ?? false;
  if (residual && (residual.rank !== 4 || residual.shape.some((d, i) => d !== x.shape[i]))) {
    throw new Error(`batchNormTraining: residual has shape [${residual.shape.join(', ')}], x [${x.shape.join(', ')}]`);
  }
  // Kernels take no null inputs: a missing γ/β is 1/0 (the gradient saves its own copy of γ).
  const s = scale ?? tf.ones([c]);
  const o = offset ?? tf.zeros([c]);
  try {
    const attrs: BatchNormTrainingAttrs = { epsilon, relu, residual: residual !== null };
    const inputs: tf.NamedTensorMap = residual ? { x, scale: s, offset: o, residual } : { x, scale: s, offset: o };
    const [y, mean, variance, reluMask] = tf.engine().runKernel(
      BatchNormTraining,
      inputs,
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
    // Only the gradient reads the mask: the engine saved its own reference.
    reluMask?.dispose();
    return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  } finally {
    if (s !== scale) s.dispose();
    if (o !== offset) o.dispose();
  }
}

/**
 * Gradient of {@link BatchNormTraining}: one {@link BatchNormTrainingGrad} kernel. The output `y` is saved
 * too: after a ReLU it holds the ReLU's mask (saving it costs no copy, tfjs shares saved tensors' memory),
 * and so is the backend's `reluMask` where it gave one.
 */
export const batchNormTrainingGradConfig: tf.GradConfig = {
  kernelName: BatchNormTraining,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [true, true, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [x, scale, y, mean, variance, reluMask] = saved;
    const a = attrs as unknown as BatchNormTrainingAttrs;
    const d = (dy as tf.Tensor[])[0];
    const relu = a.relu === true;
    // Without a ReLU the residual's gradient is dy itself; with one, the kernel's masked dy.
    const gradAttrs: BatchNormTrainingAttrs = { epsilon: a.epsilon, relu, residual: relu && a.residual === true };
    const inputs: tf.NamedTensorMap = relu ? { dy: d, x, mean, variance, scale, y } : { dy: d, x, mean, variance, scale };
    if (relu && reluMask) inputs.reluMask = reluMask;
    const [dx, dScale, dOffset, dResidual] = tf.engine().runKernel(
      BatchNormTrainingGrad,
      inputs,
      gradAttrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
    const grads: Record<string, () => tf.Tensor> = { x: () => dx, scale: () => dScale, offset: () => dOffset };
    if (a.residual) grads.residual = relu ? () => dResidual : () => d;
    return grads;
  },
};
