import { tf, useBackend, Rng } from '@residual/tensor';
import { replacedStockKernels } from '@residual/backend-wasm';
import { add as ourAdd } from './kernels/Add';
import { bits } from './kernels/testing/fused';

// Values with the cases an addition can get wrong: NaN, ±Infinity (Inf + -Inf is NaN), -0 (-0 + -0 is -0),
// subnormals, and magnitudes far apart.
const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 1e-45, -1e-40, 3.4e38, -3.4e38, 1e-30, 1];

function drawValues(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.uniform() < 0.1 ? SPECIAL[rng.randint(0, SPECIAL.length)] : rng.normal() * 10 ** rng.randint(-3, 4)));
}

describe('Add on wasm (float32, one shape: native, split across threads)', () => {
  test('the registered wasm Add is ours, the stock one is kept', async () => {
    await useBackend('wasm');
    expect(tf.getKernel('Add', 'wasm')?.kernelFunc).toBe(ourAdd);
    expect(replacedStockKernels().get('Add')?.kernelFunc).not.toBe(ourAdd);
  });

  test('60 random same-shape float32 sums (NaN, ±Inf, -0, subnormals) equal the cpu backend bit for bit', async () => {
    const rng = new Rng(11);
    const cases = Array.from({ length: 60 }, () => {
      const shape = Array.from({ length: rng.randint(0, 5) }, () => rng.randint(0, 9));
      const n = shape.reduce((a, b) => a * b, 1);
      return { shape, a: drawValues(rng, n), b: drawValues(rng, n) };
    });
    const run = () => cases.map((c) => tf.tidy(() => tf.add(tf.tensor(c.a, c.shape), tf.tensor(c.b, c.shape)).dataSync() as Float32Array));
    await useBackend('cpu');
    const cpu = run();
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const wasm = run();
    expect(tf.memory().numTensors).toBe(before);
    cases.forEach((c, i) => expect({ shape: c.shape, v: bits(wasm[i]) }).toEqual({ shape: c.shape, v: bits(cpu[i]) }));
    expect(cases.some((c) => c.shape.length === 0)).toBe(true);
    expect(cases.some((c) => c.a.length === 0)).toBe(true);
  });

  test('broadcasting and int32 sums (the stock kernel) and the gradient of a shared input', async () => {
    await useBackend('wasm');
    expect(Array.from(tf.add(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor1d([10, 20])).dataSync())).toEqual([11, 22, 13, 24]);
    const i = tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32'));
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.dataSync())).toEqual([4, 6]);
    // x used twice: tfjs adds the two gradients with Add, as at a residual block's input.
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, tf.relu(x))))(tf.tensor1d([-1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([0, 4, 6]);
  });
});
