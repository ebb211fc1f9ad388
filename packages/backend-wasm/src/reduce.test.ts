import type { TensorInfo } from '@tensorflow/tfjs-core';
import { tf, useBackend, Rng } from '@residual/tensor';
import { replacedStockKernels } from '@residual/backend-wasm';
import { mean as ourMean, sum as ourSum } from './kernels/Reduce';

/** Exact (float64) sums of x [R, C] over its rows, i.e. over the leading axes of a batch-norm input. */
function columnSums(x: Float32Array, channels: number): Float64Array {
  const out = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) out[i % channels] += x[i];
  return out;
}

/** Largest |got − want| / |want|. */
function worstRel(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]) / Math.abs(want[i]));
  return m;
}

/** Batch-norm-like activations: positive mean, so a float32 running sum loses digits as it grows. */
function activations(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => 0.5 + rng.uniform() + 0.1 * rng.normal(0, 1));
}

describe('Sum and Mean on wasm (float64 accumulation)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  test('the registered wasm Sum and Mean are ours; the stock ones are kept for other dtypes', () => {
    expect(tf.getKernel('Sum', 'wasm')?.kernelFunc).toBe(ourSum);
    expect(tf.getKernel('Mean', 'wasm')?.kernelFunc).toBe(ourMean);
    expect(replacedStockKernels().get('Sum')?.kernelFunc).not.toBe(ourSum);
    expect(replacedStockKernels().get('Mean')?.kernelFunc).not.toBe(ourMean);
    const i = tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32');
    expect(tf.sum(i, 0).dtype).toBe('int32');
    expect(Array.from(tf.sum(i, 0).dataSync())).toEqual([4, 6]);
    expect(Array.from(tf.mean(i, 1).dataSync())).toEqual([1.5, 3.5]);
    tf.dispose(i);
  });

  // The regression: ResNet-20 batch norms at batch 8 on 32x32 images (stage 1, 2 and 3 moments). The
  // stock float32 running sum erred by a few 1e-6 here, enough to flip a ReLU and move the network's
  // gradients by 6e-3 of their scale. Ours is the float32 rounding of the exact sum.
  test.each([
    [[8, 32, 32, 16]],
    [[8, 16, 16, 32]],
    [[8, 8, 8, 64]],
  ])('moments of a batch-norm input %j over axes [0, 1, 2] are correctly rounded', (shape) => {
    const rng = new Rng(shape[3]);
    const c = shape[3];
    const n = shape.reduce((a, b) => a * b, 1);
    const v = activations(rng, n);
    const exact = columnSums(v, c);
    const exactMean = exact.map((s) => s / (n / c));
    const x = tf.tensor4d(v, shape as [number, number, number, number]);
    const s = tf.sum(x, [0, 1, 2], true);
    const m = tf.mean(x, [0, 1, 2], true);
    expect(s.shape).toEqual([1, 1, 1, c]);
    expect(m.shape).toEqual([1, 1, 1, c]);
    expect(worstRel(s.dataSync(), exact)).toBeLessThanOrEqual(2 ** -24);
    expect(worstRel(m.dataSync(), exactMean)).toBeLessThanOrEqual(2 ** -24);

    // The tolerance is one that the replaced stock kernel does not meet on these very inputs.
    const backend = tf.backend() as never;
    const stock = replacedStockKernels().get('Mean')!;
    const info = stock.kernelFunc({ inputs: { x }, attrs: { axis: [0, 1, 2], keepDims: true }, backend }) as TensorInfo;
    const stockMean = tf.engine().makeTensorFromTensorInfo(info);
    expect(worstRel(stockMean.dataSync(), exactMean)).toBeGreaterThan(2 ** -22);
    tf.dispose([x, s, m, stockMean]);
  });

  test('200 random reductions of rank 0-5 (any axes, keepDims) equal the cpu backend', async () => {
    const rng = new Rng(11);
    const cases = Array.from({ length: 200 }, () => {
      const rank = rng.randint(0, 6);
      const shape = Array.from({ length: rank }, () => rng.randint(1, 7));
      const axes = shape.map((_, i) => i).filter(() => rng.uniform() < 0.5);
      const axis = rng.uniform() < 0.1 ? undefined : axes.map((a) => (rng.uniform() < 0.3 ? a - rank : a));
      const n = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: n }, () => rng.normal(0, 1));
      return { shape, axis, keepDims: rng.uniform() < 0.5, values, op: rng.uniform() < 0.5 ? 'sum' : 'mean' };
    });
    const run = (): Array<{ shape: number[]; data: number[] }> =>
      cases.map((c) =>
        tf.tidy(() => {
          const x = tf.tensor(c.values, c.shape, 'float32');
          const y = c.op === 'sum' ? tf.sum(x, c.axis, c.keepDims) : tf.mean(x, c.axis, c.keepDims);
          return { shape: y.shape, data: Array.from(y.dataSync()) };
        }),
      );
    const wasm = run();
    await useBackend('cpu');
    const cpu = run();
    await useBackend('wasm');
    cases.forEach((c, i) => {
      expect(wasm[i].shape).toEqual(cpu[i].shape);
      wasm[i].data.forEach((v, j) => expect(Math.abs(v - cpu[i].data[j])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(cpu[i].data[j]))));
    });
  });

  test('reductions over empty axes and of empty tensors follow the cpu backend', async () => {
    const run = (): number[][] =>
      tf.tidy(() => [
        Array.from(tf.sum(tf.zeros([0, 3]), 0).dataSync()),
        Array.from(tf.mean(tf.zeros([0, 3]), 0).dataSync()),
        Array.from(tf.sum(tf.zeros([3, 0]), 0).dataSync()),
        Array.from(tf.sum(tf.tensor2d([[1, 2], [3, 4]]), []).dataSync()),
      ]);
    const wasm = run();
    await useBackend('cpu');
    const cpu = run();
    await useBackend('wasm');
    expect(wasm).toEqual(cpu);
  });

  test('moments and their gradient (batch norm) equal the cpu backend', async () => {
    const rng = new Rng(3);
    const v = activations(rng, 4 * 6 * 6 * 8);
    const r = Float32Array.from({ length: v.length }, () => rng.normal(0, 1));
    const f = (x: tf.Tensor): tf.Tensor => {
      const { mean, variance } = tf.moments(x, [0, 1, 2], true);
      return tf.sum(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), tf.tensor(r, x.shape)));
    };
    const run = (): number[] => tf.tidy(() => Array.from(tf.grad(f)(tf.tensor4d(v, [4, 6, 6, 8])).dataSync()));
    const wasm = run();
    await useBackend('cpu');
    const cpu = run();
    await useBackend('wasm');
    const scale = Math.max(...cpu.map(Math.abs));
    wasm.forEach((g, i) => expect(Math.abs(g - cpu[i])).toBeLessThanOrEqual(1e-5 * scale));
  });
});
