import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernel: training-mode batch norm of NHWC `x` over its channels in one kernel. Inputs `x`, `scale` (γ)
 * and `offset` (β); attrs {@link BatchNormTrainingAttrs}; outputs `[y, mean, variance]`
 * (the batch's mean and biased variance, shape `[C]`). Backends that lack it get tfjs op chains instead
 * (see `hasKernel`).
 */
export const BatchNormTraining = 'BatchNormTraining';
/**
 * Kernel: the backward pass of {@link BatchNormTraining}. Inputs `dy`, `x`, `mean`, `variance`, `scale`;
 * outputs `[dx, dScale, dOffset]`.
 */
export const BatchNormTrainingGrad = 'BatchNormTrainingGrad';

/** Attributes of {@link BatchNormTraining} and {@link BatchNormTrainingGrad}. */
export interface BatchNormTrainingAttrs {
  /** Added to the variance before the square root. */
  epsilon: number;
}

/**
 * Training-mode batch normalisation as one kernel: `y = (x − mean) / √(variance + ε) · scale + offset`
 * with the batch's statistics over every axis but the last, and its gradient with respect to `x`,
 * `scale` and `offset` as one kernel too. Only on backends where `hasKernel(BatchNormTraining)`;
 * `@residual/nn`'s BatchNorm2d uses it there and falls back to op chains elsewhere. `mean` and
 * `variance` are for the running statistics: no gradient flows through them.
 *
 * @example
 * ```ts
 * const { y, mean, variance } = batchNormTraining(tf.randomNormal([8, 4, 4, 16]), gamma, beta, 1e-5);
 * ```
 */
export function batchNormTraining(
  x: tf.Tensor4D,
  scale: tf.Tensor1D | null,
  offset: tf.Tensor1D | null,
  epsilon: number,
): { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const c = x.shape[3];
  // Kernels take no null inputs: a missing γ/β is 1/0 (the gradient saves its own copy of γ).
  const s = scale ?? tf.ones([c]);
  const o = offset ?? tf.zeros([c]);
  try {
    const attrs: BatchNormTrainingAttrs = { epsilon };
    const [y, mean, variance] = tf.engine().runKernel(
      BatchNormTraining,
      { x, scale: s, offset: o },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
    return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  } finally {
    if (s !== scale) s.dispose();
    if (o !== offset) o.dispose();
  }
}

/** Gradient of {@link BatchNormTraining}: one {@link BatchNormTrainingGrad} kernel. */
export const batchNormTrainingGradConfig: tf.GradConfig = {
  kernelName: BatchNormTraining,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [x, scale, mean, variance] = saved;
    const inputs = { dy: (dy as tf.Tensor[])[0], x, mean, variance, scale };
    const [dx, dScale, dOffset] = tf.engine().runKernel(BatchNormTrainingGrad, inputs, attrs) as tf.Tensor[];
    return { x: () => dx, scale: () => dScale, offset: () => dOffset };
  },
};
