import { tf, useBackend, Rng, BatchNormRunningStats, batchNormRunningStats, hasKernel, type BatchNormRunningStatsAttrs } from '@residual/tensor';
import '@residual/backend-wasm';

// The fused running-statistics update must give the op chain's bits (what @residual/nn runs where the
// kernel is missing), run on tfjs's cpu backend: PyTorch's formulas, float32 after every operation.
function opChain(rm: Float32Array, rv: Float32Array, m: Float32Array, v: Float32Array, tracked: number, a: BatchNormRunningStatsAttrs) {
  return tf.tidy(() => {
    const factor = a.cumulative ? 1 / (tracked + 1) : a.momentum;
    const unbiased = tf.mul(tf.tensor1d(v), a.count / (a.count - 1));
    const mean = tf.add(tf.mul(tf.tensor1d(rm), 1 - factor), tf.mul(tf.tensor1d(m), factor));
    const variance = tf.add(tf.mul(tf.tensor1d(rv), 1 - factor), tf.mul(unbiased, factor));
    return [mean.dataSync(), variance.dataSync()].map((d) => Array.from(new Uint32Array((d as Float32Array).buffer)));
  });
}

function fused(rm: Float32Array, rv: Float32Array, m: Float32Array, v: Float32Array, tracked: number, a: BatchNormRunningStatsAttrs) {
  return tf.tidy(() => {
    const out = batchNormRunningStats(tf.tensor1d(rm), tf.tensor1d(rv), tf.tensor4d(m, [1, 1, 1, m.length]), tf.tensor1d(v), tf.scalar(tracked, 'int32'), a);
    const [mean, variance] = out.slice(0, 2).map((t) => Array.from(new Uint32Array((t.dataSync() as Float32Array).buffer)));
    return { mean, variance, tracked: out[2].dataSync()[0], shapes: out.map((t) => t.shape) };
  });
}

const values = (rng: Rng, c: number, lo: number, hi: number) => Float32Array.from({ length: c }, () => lo + (hi - lo) * rng.uniform());

test.each(Array.from({ length: 12 }, (_, i) => i))('random case %i: the op chain\'s bits', async (i) => {
  const rng = new Rng(100 + i);
  const c = 1 + Math.floor(rng.uniform() * 700);
  const attrs: BatchNormRunningStatsAttrs = {
    momentum: [0.1, 0.01, 0.3, rng.uniform()][i % 4],
    cumulative: i % 5 === 4,
    count: 2 + Math.floor(rng.uniform() * 200_000),
  };
  const tracked = Math.floor(rng.uniform() * 1000);
  const [rm, m] = [values(rng, c, -3, 3), values(rng, c, -3, 3)];
  const [rv, v] = [values(rng, c, 0, 5), values(rng, c, 0, 5)];
  await useBackend('cpu');
  const expected = opChain(rm, rv, m, v, tracked, attrs);
  await useBackend('wasm');
  expect(hasKernel(BatchNormRunningStats)).toBe(true);
  const before = tf.memory().numTensors;
  const got = fused(rm, rv, m, v, tracked, attrs);
  expect(tf.memory().numTensors).toBe(before);
  expect(got.mean).toEqual(expected[0]);
  expect(got.variance).toEqual(expected[1]);
  expect(got.tracked).toBe(tracked + 1);
  expect(got.shapes).toEqual([[c], [c], []]);
});

test('NaN and Inf statistics stay non-finite in the running values', async () => {
  await useBackend('wasm');
  const attrs = { momentum: 0.1, cumulative: false, count: 64 };
  const got = tf.tidy(() =>
    batchNormRunningStats(tf.zeros([3]), tf.ones([3]), tf.tensor1d([NaN, 1, Infinity]), tf.tensor1d([1, NaN, 1]), tf.scalar(0, 'int32'), attrs)
      .slice(0, 2)
      .map((t) => Array.from(t.dataSync())),
  );
  expect(got[0].map(Number.isFinite)).toEqual([false, true, false]);
  expect(got[1].map(Number.isFinite)).toEqual([true, false, true]);
});

test('refuses mismatched sizes, a float counter and a single value per channel, naming the input', async () => {
  await useBackend('wasm');
  const attrs = { momentum: 0.1, cumulative: false, count: 64 };
  const run = (over: Record<string, tf.Tensor>, a: BatchNormRunningStatsAttrs = attrs) =>
    tf.tidy(() => {
      const inputs = { runningMean: tf.zeros([4]), runningVar: tf.ones([4]), mean: tf.zeros([4]), variance: tf.ones([4]), numBatchesTracked: tf.scalar(0, 'int32'), ...over };
      tf.engine().runKernel(BatchNormRunningStats, inputs, a as never);
    });
  expect(() => run({ variance: tf.ones([5]) })).toThrow(/'variance' has 5 values, runningMean 4/);
  expect(() => run({ numBatchesTracked: tf.scalar(0) })).toThrow(/'numBatchesTracked' must be one int32/);
  expect(() => run({ mean: tf.zeros([4], 'int32') })).toThrow(/mean/);
  expect(() => run({}, { ...attrs, count: 1 })).toThrow(/more than 1 value per channel/);
});
