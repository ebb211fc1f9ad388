import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernel: one SGD update of a parameter and its momentum buffer in one pass (PyTorch's order, float32).
 * Inputs `param`, `grad`, `buffer` (ignored on the first step); attrs {@link SGDStepAttrs}; outputs
 * `[param, buffer]`. Optimizers use it where the backend has it (see `hasKernel`).
 */
export const SGDStep = 'SGDStep';

/** Attributes of {@link SGDStep} (`torch.optim.SGD`'s hyper-parameters). */
export interface SGDStepAttrs {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  /** No momentum buffer yet: it starts as the (decayed) gradient. */
  firstStep: boolean;
}

/**
 * `d = g + wd·p`; `buf = first ? d : momentum·buf + (1 − dampening)·d`; `d = nesterov ? d + momentum·buf : buf`;
 * `p − lr·d`, as one {@link SGDStep} kernel, with the same float32 operations as the op chain. Returns the new
 * parameter and buffer (the buffer is `grad`'s copy-free alias when `momentum` is 0: ignore it then).
 *
 * @example
 * ```ts
 * const [p1, buf1] = sgdStep(p, g, g, { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 1e-4, firstStep: true });
 * ```
 */
export function sgdStep(param: tf.Tensor, grad: tf.Tensor, buffer: tf.Tensor, attrs: SGDStepAttrs): [tf.Tensor, tf.Tensor] {
  const [p, b] = tf.engine().runKernel(SGDStep, { param, grad, buffer }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return [p, b];
}
