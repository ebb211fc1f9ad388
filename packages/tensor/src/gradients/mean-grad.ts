import * as tf from '@tensorflow/tfjs-core';

/**
 * The gradient of `Mean`, `dx = broadcast(dy / n)` over the reduced axes, registered in place of
 * tfjs-core's. That one computes `dy · ones(x.shape) / n`, and `ones` builds its values as a JavaScript
 * array the size of x. A ResNet's global average pool then allocated a 2 MB array each training step
 * (batch 128, 8×8×64), outside the young generation, and V8 ran a full mark-compact (2–5 ms) every
 * step. It also took three passes over x's size. Here it is one division of dy and one broadcast. The values
 * are the same bit for bit, because `dy · 1` is `dy` (NaN and −0 included).
 */
export const meanGradConfig: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis } = attrs as unknown as tf.MeanAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const kept = x.shape.map((size, i) => (axes.includes(i) ? 1 : size));
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    return { x: () => tf.broadcastTo(tf.div(tf.reshape(dy as tf.Tensor, kept), count), x.shape) };
  },
};
