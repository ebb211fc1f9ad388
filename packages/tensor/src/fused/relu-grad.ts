import * as tf from '@tensorflow/tfjs-core';
import { hasKernel } from '../kernel-replacement';

/**
 * Kernel: the gradient of `Relu`, `dx = dy · step(x)`, in one pass. Inputs `dy`, `x`; output `dx`. Where
 * the backend lacks it, the gradient is tfjs's `mul(dy, cast(step(x)))` (three kernels).
 */
export const ReluGrad = 'ReluGrad';

/**
 * tfjs's gradient of `Relu`, running {@link ReluGrad} where the active backend has it. Registered in
 * place of tfjs-core's by `@residual/tensor` (same values, bit for bit: NaN stays NaN).
 */
export const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const d = dy as tf.Tensor;
    if (hasKernel(ReluGrad)) return { x: () => tf.engine().runKernel(ReluGrad, { dy: d, x }) as tf.Tensor };
    return { x: () => tf.mul(d, tf.cast(tf.step(x), 'float32')) };
  },
};
