import { tf, useBackend, Rng } from '@residual/tensor';
import { replacedStockKernels } from '@residual/backend-wasm';
import { slice as ourSlice } from './kernels/Slice';

type Case = { shape: number[]; begin: number[]; size: number[]; dtype: 'float32' | 'int32' | 'bool' };

function drawCase(rng: Rng): Case {
  const rank = rng.randint(1, 7);
  const shape = Array.from({ length: rank }, () => rng.randint(1, 6));
  const begin = shape.map((d) => rng.randint(0, d));
  // Mix of whole dims, size-1 picks, -1 ("to the end") and partial ranges.
  const size = shape.map((d, i) => {
    const k = rng.randint(0, 4);
    if (k === 0) { begin[i] = 0; return d; }
    if (k === 1) return 1;
    if (k === 2) return -1;
    return rng.randint(1, d - begin[i] + 1);
  });
  const dtype = (['float32', 'float32', 'int32', 'bool'] as const)[rng.randint(0, 4)];
  return { shape, begin, size, dtype };
}

function run(c: Case, seed: number): number[] {
  const rng = new Rng(seed);
  const n = c.shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, () => (c.dtype === 'bool' ? rng.randint(0, 2) : rng.randint(-1000, 1000) / (c.dtype === 'int32' ? 1 : 7)));
  return tf.tidy(() => Array.from(tf.slice(tf.tensor(vals, c.shape, c.dtype), c.begin, c.size).dataSync()));
}

describe('Slice on wasm (any rank, run copies)', () => {
  test('the registered wasm Slice is ours, the stock one is kept for strings', async () => {
    await useBackend('wasm');
    expect(tf.getKernel('Slice', 'wasm')?.kernelFunc).toBe(ourSlice);
    expect(replacedStockKernels().get('Slice')?.kernelFunc).not.toBe(ourSlice);
    const s = tf.tensor(['a', 'b', 'c', 'd'], [2, 2]);
    expect(tf.slice(s, [1, 0], [1, 2]).dataSync()).toEqual(['c', 'd']);
  });

  test('200 random slices of rank 1-6 (float32, int32, bool) equal the cpu backend', async () => {
    const rng = new Rng(7);
    const cases = Array.from({ length: 200 }, () => drawCase(rng));
    await useBackend('cpu');
    const cpu = cases.map((c, i) => run(c, i));
    await useBackend('wasm');
    const wasm = cases.map((c, i) => run(c, i));
    cases.forEach((c, i) => expect({ c, v: wasm[i] }).toEqual({ c, v: cpu[i] }));
    expect(cases.some((c) => c.shape.length === 6)).toBe(true);
  });

  test('the ResNet subsample x[:, ::2, ::2, :] via a rank-6 slice, and its gradient', async () => {
    const f = (x: tf.Tensor) => tf.reshape(tf.slice(tf.reshape(x, [2, 3, 2, 3, 2, 4]), [0, 0, 0, 0, 0, 0], [2, 3, 1, 3, 1, 4]), [2, 3, 3, 4]);
    const x = () => tf.reshape(tf.range(0, 2 * 6 * 6 * 4), [2, 6, 6, 4]);
    const go = () => tf.tidy(() => {
      const xv = x();
      return [Array.from(f(xv).dataSync()), Array.from(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), 3)))(xv).dataSync())];
    });
    await useBackend('cpu');
    const cpu = go();
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    expect(go()).toEqual(cpu);
    expect(tf.memory().numTensors).toBe(before);
  });
});
