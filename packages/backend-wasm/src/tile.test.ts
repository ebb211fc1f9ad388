import { tf, useBackend, Rng } from '@residual/tensor';
import { replacedStockKernels } from '@residual/backend-wasm';
import { tile as ourTile, mergeDims } from './kernels/Tile';

type Case = { shape: number[]; reps: number[]; dtype: 'float32' | 'int32' | 'bool' };

function drawCase(rng: Rng): Case {
  const rank = rng.randint(1, 6);
  const shape = Array.from({ length: rank }, () => rng.randint(1, 5));
  // Mostly 1 (not tiled) and small repeats; now and then 0 (an empty output) or an odd count.
  const reps = shape.map(() => [1, 1, 2, 3, 5, 0][rng.randint(0, rng.randint(0, 8) === 0 ? 6 : 5)]);
  const dtype = (['float32', 'float32', 'int32', 'bool'] as const)[rng.randint(0, 4)];
  return { shape, reps, dtype };
}

function run(c: Case, seed: number): { shape: number[]; v: number[] } {
  const rng = new Rng(seed);
  const n = c.shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, () => (c.dtype === 'bool' ? rng.randint(0, 2) : rng.randint(-1000, 1000) / (c.dtype === 'int32' ? 1 : 7)));
  return tf.tidy(() => {
    const y = tf.tile(tf.tensor(vals, c.shape, c.dtype), c.reps);
    return { shape: y.shape, v: Array.from(y.dataSync()) };
  });
}

describe('Tile on wasm (block copies)', () => {
  test('the registered wasm Tile is ours, strings too (the stock one aborts on them)', async () => {
    await useBackend('wasm');
    expect(tf.getKernel('Tile', 'wasm')?.kernelFunc).toBe(ourTile);
    expect(replacedStockKernels().get('Tile')?.kernelFunc).not.toBe(ourTile);
    expect(tf.tile(tf.tensor(['a', 'b'], [2]), [2]).dataSync()).toEqual(['a', 'b', 'a', 'b']);
    expect(tf.tile(tf.tensor(['a', 'b', 'c', 'd', 'e', 'f'], [2, 3]), [2, 2]).dataSync()).toEqual(
      ['a', 'b', 'c', 'a', 'b', 'c', 'd', 'e', 'f', 'd', 'e', 'f', 'a', 'b', 'c', 'a', 'b', 'c', 'd', 'e', 'f', 'd', 'e', 'f'],
    );
  });

  test('300 random tiles of rank 1-5 (float32, int32, bool; empty outputs) equal the cpu backend', async () => {
    const rng = new Rng(11);
    const cases = Array.from({ length: 300 }, () => drawCase(rng));
    await useBackend('cpu');
    const cpu = cases.map((c, i) => run(c, i));
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const wasm = cases.map((c, i) => run(c, i));
    expect(tf.memory().numTensors).toBe(before);
    cases.forEach((c, i) => expect({ c, r: wasm[i] }).toEqual({ c, r: cpu[i] }));
    expect(cases.some((c) => c.reps.includes(0))).toBe(true);
    expect(cases.some((c) => c.shape.length === 5 && c.reps.filter((r) => r > 1).length >= 2)).toBe(true);
  });

  test('the global average pool’s gradient: [128,1,1,64] broadcast over 8×8, NaN kept', async () => {
    const go = () =>
      tf.tidy(() => {
        const v = Float32Array.from({ length: 128 * 64 }, (_, i) => Math.sin(i) * 5);
        v[3] = NaN;
        return Array.from(tf.broadcastTo(tf.tensor4d(v, [128, 1, 1, 64]), [128, 8, 8, 64]).dataSync());
      });
    await useBackend('cpu');
    const cpu = go();
    await useBackend('wasm');
    expect(go()).toEqual(cpu);
  });

  test('mergeDims keeps tiled dims and merges untiled neighbours', () => {
    expect(mergeDims([128, 1, 1, 64], [1, 8, 8, 1])).toEqual({ shape: [128, 1, 1, 64], rep: [1, 8, 8, 1] });
    expect(mergeDims([2, 3, 4, 5], [1, 1, 2, 1])).toEqual({ shape: [6, 4, 5], rep: [1, 2, 1] });
    expect(mergeDims([1, 1], [1, 1])).toEqual({ shape: [1], rep: [1] });
    expect(mergeDims([], [])).toEqual({ shape: [1], rep: [1] });
  });
});
