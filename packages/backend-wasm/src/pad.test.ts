import { tf, useBackend, Rng } from '@residual/tensor';
import { replacedStockKernels } from '@residual/backend-wasm';
import { padV2 as ourPad, mergePadDims } from './kernels/PadV2';

type Case = { shape: number[]; pads: Array<[number, number]>; dtype: 'float32' | 'int32' | 'bool'; value: number };

function drawCase(rng: Rng): Case {
  const rank = rng.randint(1, 8);
  // Sizes 0 to 5 (an empty input still pads to constants); pads of 0 on most dims so they merge.
  const shape = Array.from({ length: rank }, () => rng.randint(rng.uniform() < 0.05 ? 0 : 1, 6));
  const pads = shape.map(() => (rng.uniform() < 0.5 ? [0, 0] : [rng.randint(0, 3), rng.randint(0, 3)]) as [number, number]);
  const dtype = (['float32', 'float32', 'int32', 'bool'] as const)[rng.randint(0, 4)];
  const value = dtype === 'bool' ? rng.randint(0, 2) : ([0, 0, 1.5, -7, NaN, Infinity] as const)[rng.randint(0, 6)];
  return { shape, pads, dtype, value: dtype === 'int32' && !Number.isFinite(value) ? 3 : dtype === 'int32' ? Math.trunc(value) : value };
}

function run(c: Case, seed: number): number[] {
  const rng = new Rng(seed);
  const n = c.shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, () => (c.dtype === 'bool' ? rng.randint(0, 2) : rng.randint(-1000, 1000) / (c.dtype === 'int32' ? 1 : 7)));
  return tf.tidy(() => Array.from(tf.pad(tf.tensor(vals, c.shape, c.dtype), c.pads, c.value).dataSync()));
}

describe('PadV2 on wasm (native row copies)', () => {
  test('the registered wasm PadV2 is ours, the stock one kept for bool', async () => {
    await useBackend('wasm');
    expect(tf.getKernel('PadV2', 'wasm')?.kernelFunc).toBe(ourPad);
    expect(replacedStockKernels().get('PadV2')?.kernelFunc).not.toBe(ourPad);
  });

  test('300 random pads of rank 1-7 and one of 7 unmergeable dims (float32, int32, bool; NaN and Inf constants; empty inputs) equal cpu', async () => {
    const rng = new Rng(3);
    const cases = Array.from({ length: 300 }, () => drawCase(rng));
    // Seven dims that cannot merge: the stock kernel's share.
    cases.push({ shape: [2, 3, 2, 3, 2, 3, 2], pads: [[1, 0], [0, 1], [1, 1], [0, 2], [2, 0], [1, 0], [0, 1]], dtype: 'float32', value: -1 });
    await useBackend('cpu');
    const cpu = cases.map((c, i) => run(c, i));
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const wasm = cases.map((c, i) => run(c, i));
    expect(tf.memory().numTensors).toBe(before);
    cases.forEach((c, i) => expect({ c, v: wasm[i] }).toEqual({ c, v: cpu[i] }));
    // The draw reaches the native path's edges: 7 dims, an empty input, more than 6 merged dims.
    expect(cases.some((c) => c.shape.length === 7)).toBe(true);
    expect(cases.some((c) => c.dtype !== 'bool' && c.shape.includes(0))).toBe(true);
    expect(cases.some((c) => c.dtype !== 'bool' && mergePadDims(c.shape, c.shape.map((d, k) => d + c.pads[k][0] + c.pads[k][1]), c.pads.map((p) => p[0])).out.length > 6)).toBe(true);
  });

  test('the gradient of the rank-6 subsample (x[:, ::2, ::2, :]) and a channel pad, as in option A', async () => {
    const go = () =>
      tf.tidy(() => {
        const x = tf.reshape(tf.range(0, 3 * 8 * 8 * 8), [3, 8, 8, 8]);
        const f = (a: tf.Tensor) => {
          const s = tf.reshape(tf.slice(tf.reshape(a, [3, 4, 2, 4, 2, 8]), [0, 0, 0, 0, 0, 0], [3, 4, 1, 4, 1, 8]), [3, 4, 4, 8]);
          return tf.pad(s, [[0, 0], [0, 0], [0, 0], [4, 4]]);
        };
        const w = tf.reshape(tf.range(0, 3 * 4 * 4 * 16), [3, 4, 4, 16]);
        return [f(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), w)))(x)].map((t) => Array.from(t.dataSync()));
      });
    await useBackend('cpu');
    const cpu = go();
    await useBackend('wasm');
    expect(go()).toEqual(cpu);
  });

  test('merges dims padded by nothing and drops size-1 dims', () => {
    expect(mergePadDims([2, 3, 1, 4], [2, 3, 1, 8], [0, 0, 0, 2])).toEqual({ in: [6, 4], out: [6, 8], before: [0, 2] });
    expect(mergePadDims([2, 3, 4], [4, 3, 4], [1, 0, 0])).toEqual({ in: [24], out: [48], before: [12] });
    expect(mergePadDims([1, 1], [1, 1], [0, 0])).toEqual({ in: [1], out: [1], before: [0] });
    expect(mergePadDims([0], [1], [1])).toEqual({ in: [0], out: [1], before: [1] });
  });
});
