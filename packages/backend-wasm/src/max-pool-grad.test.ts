import { tf, useBackend, Rng } from '@residual/tensor';
import { replacedStockKernels } from '@residual/backend-wasm';
import { maxPoolGrad } from './kernels/MaxPoolGrad';
import { relError } from './kernels/testing/conv-grads';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface PoolCase { shape: [number, number, number, number]; k: [number, number]; s: [number, number]; pad: Pad }

function drawCase(rng: Rng): PoolCase {
  for (;;) {
    const k: [number, number] = [rng.randint(1, 5), rng.randint(1, 5)];
    const s: [number, number] = rng.uniform() < 0.7 ? [k[0] === 1 ? 1 : 2, k[1] === 1 ? 1 : 2] : [rng.randint(1, 4), rng.randint(1, 4)];
    const shape: [number, number, number, number] = [rng.randint(1, 4), rng.randint(2, 12), rng.randint(2, 12), rng.randint(1, 6)];
    const kind = rng.randint(0, 4);
    // Numeric pads only with square strides (tfjs-core sizes them with the row stride on both axes).
    let pad: Pad = kind === 0 ? 'same' : kind === 1 ? 'valid' : [[0, 0], [rng.randint(0, k[0]), rng.randint(0, k[0])], [rng.randint(0, k[1]), rng.randint(0, k[1])], [0, 0]];
    if (kind === 3 && s[0] === s[1] && k[0] === k[1]) pad = rng.randint(0, Math.floor(k[0] / 2) + 1);
    const outH = pad === 'same' ? Math.ceil(shape[1] / s[0]) : pad === 'valid' ? Math.ceil((shape[1] - k[0] + 1) / s[0]) : 1;
    const outW = pad === 'same' ? Math.ceil(shape[2] / s[1]) : pad === 'valid' ? Math.ceil((shape[2] - k[1] + 1) / s[1]) : 1;
    const fits = Array.isArray(pad)
      ? shape[1] + pad[1][0] + pad[1][1] >= k[0] && shape[2] + pad[2][0] + pad[2][1] >= k[1]
      : typeof pad === 'number' ? shape[1] + 2 * pad >= k[0] && shape[2] + 2 * pad >= k[1] : outH >= 1 && outW >= 1;
    if (fits) return { shape, k, s, pad };
  }
}

function grad(c: PoolCase, seed: number): Float32Array {
  const rng = new Rng(seed);
  const size = c.shape.reduce((a, b) => a * b, 1);
  // Few distinct values, so windows often hold ties: the first maximum must win, as on cpu.
  const xv = Float32Array.from({ length: size }, () => rng.randint(0, 4) - 1);
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.shape);
    const y = tf.maxPool(x, c.k, c.s, c.pad as never);
    const r = tf.tensor(Float32Array.from({ length: y.size }, () => rng.uniform() * 2 - 1), y.shape);
    return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.k, c.s, c.pad as never), r)))(x).dataSync() as Float32Array;
  });
}

describe('MaxPoolGrad on wasm', () => {
  test('is ours, and the stock kernel is set aside', async () => {
    await useBackend('wasm');
    expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc).toBe(maxPoolGrad);
    expect(replacedStockKernels().get('MaxPoolGrad')?.kernelFunc).not.toBe(maxPoolGrad);
  });

  test('ResNet stem pool (3×3, stride 2, pad 1) and 60 random pools with ties equal the cpu backend', async () => {
    const rng = new Rng(11);
    const cases: PoolCase[] = [
      { shape: [2, 16, 16, 8], k: [3, 3], s: [2, 2], pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
      { shape: [1, 15, 15, 3], k: [3, 3], s: [2, 2], pad: 'same' },
      ...Array.from({ length: 60 }, () => drawCase(rng)),
    ];
    await useBackend('cpu');
    const cpu = cases.map((c, i) => grad(c, i));
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const wasm = cases.map((c, i) => grad(c, i));
    expect(tf.memory().numTensors).toBe(before);
    cases.forEach((c, i) => expect({ c, err: relError(wasm[i], cpu[i]) <= 1e-6 }).toEqual({ c, err: true }));
  });
});
