import { tf, useBackend } from '../index';
import '@residual/backend-wasm';

// Oracle: the gradient of a strided slice written with ops that have gradients (pad + reshape + slice)
// for the cases where that rewrite exists, and finite differences for the masked forms.
describe.each(['cpu', 'wasm'] as const)('StridedSlice gradient on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('subsamples like x[:, ::2, ::2, :] (the option-A shortcut) and routes dy back', () => {
    const x = tf.range(0, 2 * 5 * 5 * 3).reshape([2, 5, 5, 3]).toFloat();
    const w = tf.randomNormal([2, 3, 3, 3], 0, 1, 'float32', 7);
    const f = (t: tf.Tensor) => tf.stridedSlice(t, [0, 0, 0, 0], [2, 5, 5, 3], [1, 2, 2, 1]).mul(w).sum();
    const dx = tf.grad(f)(x);
    // Reference: scatter w into a zero tensor at even rows/cols with plain loops.
    const expected = new Float32Array(2 * 5 * 5 * 3);
    const wv = w.dataSync();
    for (let n = 0; n < 2; n++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++)
          for (let c = 0; c < 3; c++) expected[((n * 5 + 2 * i) * 5 + 2 * j) * 3 + c] = wv[((n * 3 + i) * 3 + j) * 3 + c];
    expect(Array.from(dx.dataSync())).toEqual(Array.from(expected));
  });

  it('handles negative strides, masks, new and shrunk axes (finite differences)', () => {
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 3);
    const cases: Array<(t: tf.Tensor) => tf.Tensor> = [
      (t) => tf.stridedSlice(t, [3, 5], [0, 0], [-1, -2]),
      (t) => tf.stridedSlice(t, [1, 0], [0, 4], [1, 1], 0b10, 0b01),
      (t) => tf.stridedSlice(t, [1, 2], [2, 5], [1, 1], 0, 0, 0, 0, 0b01),
      (t) => tf.stridedSlice(t, [0, 1], [4, 5], [2, 3], 0, 0, 0, 0b01),
    ];
    for (const slice of cases) {
      const r = tf.randomNormal(slice(x).shape, 0, 1, 'float32', 11);
      const loss = (t: tf.Tensor) => slice(t).mul(r).sum();
      const dx = tf.grad(loss)(x).dataSync();
      const xv = x.dataSync();
      for (let i = 0; i < xv.length; i++) {
        const bumped = Float32Array.from(xv);
        bumped[i] += 1;
        const diff = loss(tf.tensor(bumped, x.shape)).dataSync()[0] - loss(x).dataSync()[0];
        expect(dx[i]).toBeCloseTo(diff, 3);
      }
    }
  });

  it('leaks no tensors', () => {
    const x = tf.ones([2, 4, 4, 2]);
    const step = () =>
      tf.tidy(() => {
        tf.grad((t: tf.Tensor) => tf.stridedSlice(t, [0, 0, 0, 0], [2, 4, 4, 2], [1, 2, 2, 1]).sum())(x);
      });
    step(); // first use may create tensors tfjs caches for good
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
