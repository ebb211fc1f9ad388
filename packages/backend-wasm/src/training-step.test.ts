import { tf, useBackend, Rng } from '@residual/tensor';
import '@residual/backend-wasm';
import { relError, values } from './kernels/testing/conv-grads';

// Every op a ResNet training step runs (stem conv 7×7/2, max pool 3/2 pad 1, 3×3 convs with explicit
// pads, 1×1/2 projection shortcut, option-A shortcut, grouped conv via split/concat, batch norm from
// moments, relu, avg pool, global mean, linear, softmax cross-entropy) must have a wasm kernel and
// give the cpu backend's gradients.
const P1: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 1], [1, 1], [0, 0]];
const P3: typeof P1 = [[0, 0], [3, 3], [3, 3], [0, 0]];

function bn(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-5);
}

function net(params: tf.Tensor[], x: tf.Tensor4D, labels: tf.Tensor): tf.Scalar {
  const [stem, g1, b1, c1, c2, proj, gw, fc, fcb] = params;
  let h: tf.Tensor = tf.conv2d(x, stem as tf.Tensor4D, 2, P3); // [2,8,8,8]
  h = tf.relu(bn(h, g1, b1));
  h = tf.maxPool(h as tf.Tensor4D, 3, 2, P1); // [2,4,4,8]
  const id = h;
  let r = tf.relu(tf.conv2d(h as tf.Tensor4D, c1 as tf.Tensor4D, 2, P1)); // [2,2,2,12]
  r = tf.conv2d(r as tf.Tensor4D, c2 as tf.Tensor4D, 1, 'same');
  const shortcutB = tf.conv2d(id as tf.Tensor4D, proj as tf.Tensor4D, 2, 'valid');
  // Option A: subsample by 2 and zero-pad the channels, as @residual/nn does it (reshape + slice: one
  // contiguous Slice kernel, faster on wasm than StridedSlice).
  const sub = tf.reshape(tf.slice(tf.reshape(id, [2, 2, 2, 2, 2, 8]), [0, 0, 0, 0, 0, 0], [2, 2, 1, 2, 1, 8]), [2, 2, 2, 8]);
  const shortcutA = tf.pad(sub, [[0, 0], [0, 0], [0, 0], [2, 2]]);
  h = tf.relu(tf.add(tf.add(r, shortcutB), shortcutA));
  // Grouped 3×3 conv (2 groups) as split + conv + concat.
  const xs = tf.split(h, 2, 3);
  const ws = tf.split(gw, 2, 3);
  h = tf.concat(xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ws[i] as tf.Tensor4D, 1, P1)), 3);
  h = tf.avgPool(tf.pad(h as tf.Tensor4D, P1), 2, 1, 'valid');
  const pooled = tf.mean(h, [1, 2]);
  const logits = tf.add(tf.matMul(pooled as tf.Tensor2D, fc as tf.Tensor2D), fcb);
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

const SHAPES = [[7, 7, 3, 8], [8], [8], [3, 3, 8, 12], [3, 3, 12, 12], [1, 1, 8, 12], [3, 3, 6, 12], [12, 5], [5]];

function step(seed: number): { loss: number; grads: Float32Array[] } {
  const rng = new Rng(seed);
  return tf.tidy(() => {
    const x = tf.tensor4d(values(rng, 2 * 16 * 16 * 3), [2, 16, 16, 3]);
    const params = SHAPES.map((s) => tf.tensor(values(rng, s.reduce((a, b) => a * b, 1)), s));
    const labels = tf.oneHot([1, 3], 5);
    const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => net(ps, x, labels))(params);
    return { loss: value.dataSync()[0], grads: grads.map((t) => t.dataSync() as Float32Array) };
  });
}

test('a ResNet-style training step has every kernel on wasm and matches cpu gradients', async () => {
  await useBackend('cpu');
  const cpu = step(3);
  await useBackend('wasm');
  const wasm = step(3);
  expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-4);
  wasm.grads.forEach((g, i) => expect(relError(g, cpu.grads[i])).toBeLessThanOrEqual(1e-4));
});

test('training steps on wasm keep tf.memory().numTensors flat', async () => {
  await useBackend('wasm');
  step(4);
  const before = tf.memory().numTensors;
  step(5);
  step(6);
  expect(tf.memory().numTensors).toBe(before);
});
