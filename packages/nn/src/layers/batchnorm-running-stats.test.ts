import { tf, useBackend, Rng, hasKernel, BatchNormRunningStats } from '@residual/tensor';
import '@residual/backend-wasm';
import { BatchNorm2d } from '../index';

// In training, BatchNorm2d updates runningMean, runningVar and numBatchesTracked. On wasm that is one
// BatchNormRunningStats kernel after the BatchNormTraining kernel (whose bits against the op chain
// backend-wasm's tests check). Here: the whole layer against cpu, whose batch variance may differ in the
// last bit (wasm accumulates in float64), for an exponential (momentum 0.1, 0.3) and a cumulative
// (momentum null) average.
const C = 7;

async function trajectory(backend: 'cpu' | 'wasm', momentum: number | null) {
  await useBackend(backend);
  const rng = new Rng(11);
  const bn = new BatchNorm2d(C, { momentum });
  const states: number[][][] = [];
  for (let step = 0; step < 4; step++) {
    const x = tf.tensor4d(
      Float32Array.from({ length: 3 * 4 * 5 * C }, () => rng.uniform() * 6 - 2 + step),
      [3, 4, 5, C],
    );
    tf.tidy(() => {
      bn.forward(x);
    });
    x.dispose();
    states.push([bn.runningMean!, bn.runningVar!].map((t) => Array.from(t.dataSync())));
    states[step].push([Number(bn.numBatchesTracked!.dataSync()[0])]);
  }
  return states;
}

test.each([0.1, 0.3, null])(
  "momentum %s: running statistics on wasm are the cpu op chain's bits",
  async (momentum) => {
    const cpu = await trajectory('cpu', momentum);
    expect(hasKernel(BatchNormRunningStats)).toBe(false);
    const wasm = await trajectory('wasm', momentum);
    expect(hasKernel(BatchNormRunningStats)).toBe(true);
    wasm.forEach((state, step) =>
      state
        .slice(0, 2)
        .forEach((values, k) =>
          values.forEach((v, c) =>
            expect(Math.abs(v - cpu[step][k][c])).toBeLessThanOrEqual(1e-6 * Math.abs(cpu[step][k][c])),
          ),
        ),
    );
    expect(wasm.map((s) => s[2][0])).toEqual([1, 2, 3, 4]);
    expect(cpu.map((s) => s[2][0])).toEqual([1, 2, 3, 4]);
    expect(cpu[3][0]).not.toEqual(cpu[0][0]);
  },
);

test('on wasm a training forward runs BatchNormTraining and BatchNormRunningStats, nothing elementwise', async () => {
  await useBackend('wasm');
  const bn = new BatchNorm2d(C);
  const x = tf.ones([2, 3, 3, C]);
  tf.tidy(() => {
    bn.forward(x);
  });
  const profile = await tf.profile(() => {
    tf.tidy(() => {
      bn.forward(x);
    });
  });
  expect(profile.kernelNames.filter((k) => k !== 'Reshape')).toEqual([
    'BatchNormTraining',
    'BatchNormRunningStats',
  ]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++)
    tf.tidy(() => {
      bn.forward(x);
    });
  expect(tf.memory().numTensors).toBe(before);
  x.dispose();
});
