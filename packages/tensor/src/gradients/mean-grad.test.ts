import { tf, useBackend } from '../index';
import '@residual/backend-wasm';
import { meanGradConfig } from './mean-grad';

// Oracle: dx = dy / n at every position of the reduced axes, computed element by element in float32
// (what tfjs's own dy · ones / n gives, bit for bit: dy · 1 is dy). dy is the weight r of sum(mean(x) · r).
function expected(shape: number[], axes: number[], r: Float32Array): Float32Array {
  const n = axes.reduce((p, a) => p * shape[a], 1);
  const size = shape.reduce((p, s) => p * s, 1);
  const outShape = shape.map((s, i) => (axes.includes(i) ? 1 : s));
  const out = new Float32Array(size);
  const idx = new Array(shape.length).fill(0);
  for (let e = 0; e < size; e++) {
    let rem = e;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
    }
    let o = 0;
    for (let d = 0; d < shape.length; d++) o = o * outShape[d] + (axes.includes(d) ? 0 : idx[d]);
    out[e] = Math.fround(r[o] / n);
  }
  return out;
}

describe.each(['cpu', 'wasm'] as const)('Mean gradient on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('replaces tfjs-core’s', () => {
    expect(tf.getGradient(tf.Mean)).toBe(meanGradConfig);
  });

  it.each([
    { shape: [3, 4, 5, 6], axis: [1, 2], keepDims: true, axes: [1, 2] },
    { shape: [3, 4, 5, 6], axis: -1, keepDims: false, axes: [3] },
    { shape: [2, 7], axis: undefined, keepDims: false, axes: [0, 1] },
    { shape: [5, 1, 3], axis: [0, 2], keepDims: false, axes: [0, 2] },
  ])('mean($shape, $axis, keepDims $keepDims): dy / n broadcast, bit for bit (NaN, −0 kept)', ({ shape, axis, keepDims, axes }) => {
    const before = tf.memory().numTensors;
    const x = tf.randomNormal(shape, 0, 1, 'float32', 5);
    const m = tf.mean(x, axis, keepDims);
    const outShape = m.shape;
    m.dispose();
    const count = outShape.reduce((p, s) => p * s, 1);
    const rv = Float32Array.from({ length: count }, (_, i) => Math.sin(i + 1) * 3);
    rv[0] = NaN;
    if (count > 2) rv[count - 1] = -0;
    const r = tf.tensor(rv, outShape);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mean(t, axis, keepDims), r)))(x);
    expect(dx.shape).toEqual(shape);
    const got = dx.dataSync() as Float32Array;
    const want = expected(shape, axes, rv);
    expect(Array.from(new Uint32Array(got.buffer, got.byteOffset, got.length))).toEqual(Array.from(new Uint32Array(want.buffer)));
    tf.dispose([x, r, dx]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
