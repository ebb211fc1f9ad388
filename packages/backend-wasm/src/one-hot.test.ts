import { tf, useBackend } from '@residual/tensor';
import { replacedStockKernels } from '@residual/backend-wasm';
import { oneHot as ourOneHot } from './kernels/OneHot';

describe('OneHot on wasm honours dtype', () => {
  const cases: Array<{ indices: number[]; shape: number[]; depth: number; on: number; off: number; dtype: 'float32' | 'int32' | 'bool' }> = [
    { indices: [0, 3, 9, 2], shape: [4], depth: 10, on: 1, off: 0, dtype: 'float32' },
    { indices: [1, -1, 5, 2, 0, 4], shape: [2, 3], depth: 5, on: 0.9, off: 0.025, dtype: 'float32' },
    { indices: [2, 0, 7], shape: [3], depth: 4, on: 3, off: -1, dtype: 'int32' },
    { indices: [1, 0], shape: [2], depth: 3, on: 1, off: 0, dtype: 'bool' },
  ];
  const run = (): Array<{ dtype: string; shape: number[]; data: number[] }> =>
    cases.map((c) =>
      tf.tidy(() => {
        const y = tf.oneHot(tf.tensor(c.indices, c.shape, 'int32'), c.depth, c.on, c.off, c.dtype);
        return { dtype: y.dtype, shape: y.shape, data: Array.from(y.dataSync() as ArrayLike<number>) };
      }),
    );

  test('the registered wasm OneHot is ours', async () => {
    await useBackend('wasm');
    expect(tf.getKernel('OneHot', 'wasm')?.kernelFunc).toBe(ourOneHot);
    expect(replacedStockKernels().get('OneHot')?.kernelFunc).not.toBe(ourOneHot);
  });

  test("float32 labels read as 1 and 0 (the stock kernel wrote int32 bits), and every dtype equals cpu", async () => {
    await useBackend('wasm');
    const wasm = run();
    expect(wasm[0].dtype).toBe('float32');
    expect(wasm[0].data.slice(0, 10)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // A float32 label feeds a loss as such: the mean cross-entropy of uniform logits is log(10).
    const loss = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([3, 7], 'int32'), 10, 1, 0, 'float32'), tf.zeros([2, 10])).dataSync()[0]);
    expect(loss).toBeCloseTo(Math.log(10), 5);
    await useBackend('cpu');
    const cpu = run();
    await useBackend('wasm');
    expect(wasm).toHaveLength(cpu.length);
    wasm.forEach((w, i) => {
      expect(w.dtype).toBe(cpu[i].dtype);
      expect(w.shape).toEqual(cpu[i].shape);
      w.data.forEach((v, j) => expect(v).toBeCloseTo(cpu[i].data[j], 6));
    });
  });
});
