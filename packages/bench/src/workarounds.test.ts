import { tf, useBackend } from '@residual/tensor';
import { ensureStridedSliceGradient } from './workarounds';

describe('StridedSlice gradient workaround', () => {
  it('scatters dy to the strided positions, as an explicit loop does', async () => {
    await useBackend('cpu');
    ensureStridedSliceGradient();
    const shape = [2, 5, 7, 3];
    const n = shape.reduce((p, q) => p * q, 1);
    const x = tf.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i)), shape);
    const begin = [0, 1, 0, 0];
    const end = [2, 5, 7, 3];
    const strides = [1, 2, 3, 1];
    const y = tf.stridedSlice(x, begin, end, strides);
    const w = tf.tensor(Float32Array.from({ length: y.size }, (_, i) => Math.cos(i * 0.7)), y.shape);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.stridedSlice(t, begin, end, strides), w)))(x);
    // Independent oracle: walk the output positions and add w into a zero array.
    const expected = new Float32Array(n);
    const wv = w.dataSync();
    const [, oh, ow, oc] = y.shape;
    let k = 0;
    for (let a = 0; a < y.shape[0]; a++)
      for (let b = 0; b < oh; b++)
        for (let c = 0; c < ow; c++)
          for (let d = 0; d < oc; d++) {
            const i = ((a * 5 + (1 + 2 * b)) * 7 + 3 * c) * 3 + d;
            expected[i] += wv[k++];
          }
    expect(dx.shape).toEqual(shape);
    expect(Array.from(dx.dataSync())).toEqual(Array.from(expected));
    tf.dispose([x, y, w, dx]);
  });
});
