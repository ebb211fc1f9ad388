import { tf, useBackend, hasKernel, Rng, residualConv2d, ResidualConv2D } from '@residual/tensor';
import '@residual/backend-wasm';
import { bits } from './kernels/testing/fused';
import { relError, values } from './kernels/testing/conv-grads';

// ResidualConv2D on wasm: act(conv + bias + residual) in the convolution's epilogue. It must equal the
// op chain it replaces (tf.fused.conv2d, tf.add, tf.relu on the same backend) bit for bit, and its
// gradient (the chain's, recomputed) must match cpu's autodiff of that chain.
const CASES = [
  { x: [2, 7, 7, 12], f: [3, 3, 12, 24], strides: 1, pad: 'same' as const },
  { x: [3, 9, 11, 5], f: [3, 3, 5, 19], strides: 2, pad: 'same' as const },
  { x: [1, 14, 14, 16], f: [1, 1, 16, 36], strides: 1, pad: 'valid' as const },
];

function tensors(c: (typeof CASES)[number], seed: number) {
  const rng = new Rng(seed);
  const x = tf.tensor4d(values(rng, c.x.reduce((a, b) => a * b)), c.x as [number, number, number, number]);
  const filter = tf.tensor4d(values(rng, c.f.reduce((a, b) => a * b)), c.f as [number, number, number, number]);
  const bias = tf.tensor1d(values(rng, c.f[3]));
  const outShape = tf.conv2d(x, filter, c.strides, c.pad).shape;
  const residual = tf.tensor4d(values(rng, outShape.reduce((a, b) => a * b)), outShape);
  const r = tf.tensor4d(values(rng, outShape.reduce((a, b) => a * b)), outShape);
  return { x, filter, bias, residual, r };
}

function gradients(c: (typeof CASES)[number], seed: number): Float32Array[] {
  return tf.tidy(() => {
    const { x, filter, bias, residual, r } = tensors(c, seed);
    const f = (...t: tf.Tensor[]) =>
      tf.sum(tf.mul(residualConv2d({ x: t[0] as tf.Tensor4D, filter: t[1] as tf.Tensor4D, bias: t[2] as tf.Tensor1D, residual: t[3] as tf.Tensor4D, strides: c.strides, pad: c.pad }), r));
    return tf.grads(f)([x, filter, bias, residual]).map((g) => g.dataSync() as Float32Array);
  });
}

describe('ResidualConv2D on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('is registered on wasm and not on cpu', async () => {
    expect(hasKernel(ResidualConv2D)).toBe(true);
    await useBackend('cpu');
    expect(hasKernel(ResidualConv2D)).toBe(false);
    await useBackend('wasm');
  });

  it.each(CASES.map((c, i) => [JSON.stringify(c), i] as const))('equals fused.conv2d + add + relu bit for bit: %s', (_n, i) => {
    const c = CASES[i];
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const { x, filter, bias, residual } = tensors(c, 10 + i);
      for (const activation of ['relu', 'linear'] as const) {
        const fused = residualConv2d({ x, filter, bias, residual, strides: c.strides, pad: c.pad, activation });
        let chain = tf.add(tf.fused.conv2d({ x, filter, bias, strides: c.strides, pad: c.pad }), residual);
        if (activation === 'relu') chain = tf.relu(chain);
        expect(fused.shape).toEqual(chain.shape);
        expect(bits(fused.dataSync() as Float32Array)).toEqual(bits(chain.dataSync() as Float32Array));
      }
      // Without a bias.
      const nb = residualConv2d({ x, filter, residual, strides: c.strides, pad: c.pad });
      const chain = tf.relu(tf.add(tf.conv2d(x, filter, c.strides, c.pad), residual));
      expect(bits(nb.dataSync() as Float32Array)).toEqual(bits(chain.dataSync() as Float32Array));
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(CASES.map((c, i) => [JSON.stringify(c), i] as const))('gradients for x, filter, bias and residual equal cpu: %s', async (_n, i) => {
    await useBackend('cpu');
    const cpu = gradients(CASES[i], 20 + i);
    await useBackend('wasm');
    const wasm = gradients(CASES[i], 20 + i);
    expect(wasm).toHaveLength(4);
    for (let k = 0; k < 4; k++) expect(relError(wasm[k], cpu[k])).toBeLessThanOrEqual(1e-4);
  });

  it('without a bias, gradients for x, filter and residual equal cpu (linear and ReLU)', async () => {
    const run = () =>
      tf.tidy(() => {
        const { x, filter, residual, r } = tensors(CASES[1], 50);
        return (['linear', 'relu'] as const).flatMap((activation) =>
          tf
            .grads((...t: tf.Tensor[]) =>
              tf.sum(tf.mul(residualConv2d({ x: t[0] as tf.Tensor4D, filter: t[1] as tf.Tensor4D, residual: t[2] as tf.Tensor4D, strides: 2, pad: 'same', activation }), r)),
            )([x, filter, residual])
            .map((g) => g.dataSync() as Float32Array),
        );
      });
    await useBackend('cpu');
    const cpu = run();
    await useBackend('wasm');
    const wasm = run();
    expect(wasm).toHaveLength(6);
    for (let k = 0; k < 6; k++) expect(relError(wasm[k], cpu[k])).toBeLessThanOrEqual(1e-4);
  });

  it('keeps NaN from the residual through the ReLU and refuses a residual of the wrong shape', () => {
    tf.tidy(() => {
      const { x, filter, bias, residual } = tensors(CASES[0], 30);
      const poisoned = residual.bufferSync();
      poisoned.set(NaN, 1, 3, 4, 5);
      const y = residualConv2d({ x, filter, bias, residual: poisoned.toTensor() as tf.Tensor4D, strides: 1, pad: 'same' }).bufferSync();
      expect(y.get(1, 3, 4, 5)).toBeNaN();
      expect(Number.isNaN(y.get(1, 3, 4, 6))).toBe(false);
      // Its gradient stays NaN there too (never a good-looking zero).
      const g = tf
        .grad((t: tf.Tensor) => tf.sum(residualConv2d({ x, filter, bias, residual: t as tf.Tensor4D, strides: 1, pad: 'same' })))(poisoned.toTensor())
        .bufferSync();
      expect(g.get(1, 3, 4, 5)).toBeNaN();
      expect(Number.isNaN(g.get(1, 3, 4, 6))).toBe(false);
      const wrong = tf.zeros([2, 7, 7, 23]) as tf.Tensor4D;
      expect(() => residualConv2d({ x, filter, bias, residual: wrong, strides: 1, pad: 'same' })).toThrow(/residual has shape \[2, 7, 7, 23\].*\[2, 7, 7, 24\]/);
    });
  });

  it('falls back to the op chain on cpu, with the same refusals', async () => {
    await useBackend('cpu');
    try {
      tf.tidy(() => {
        const { x, filter, bias, residual } = tensors(CASES[0], 40);
        const y = residualConv2d({ x, filter, bias, residual, strides: 1, pad: 'same' });
        const chain = tf.relu(tf.add(tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'same' }), residual));
        expect(bits(y.dataSync() as Float32Array)).toEqual(bits(chain.dataSync() as Float32Array));
        const wrong = tf.zeros([2, 7, 7, 23]) as tf.Tensor4D;
        expect(() => residualConv2d({ x, filter, residual: wrong, strides: 1, pad: 'same' })).toThrow(/residual has shape \[2, 7, 7, 23\]/);
        expect(() => residualConv2d({ x, filter, residual: tf.zeros([7, 7, 24]) as never, strides: 1, pad: 'same' })).toThrow(/must be rank 4/);
      });
    } finally {
      await useBackend('wasm');
    }
  });
});
