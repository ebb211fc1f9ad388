import { availableParallelism } from 'node:os';
import { tf, useBackend, backendInfo } from '@residual/tensor';
import '../index';
import { setThreadsCount, getThreadsCount, threadsFromEnv } from './index';

// Deterministic inputs any language can reproduce: no RNG involved.
function formulaTensor(shape: number[], k: number, scale: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37 + k) * scale;
  return tf.tensor(v, shape);
}

// A conv with enough work that XNNPACK splits it across the pool, then its input and filter gradients.
function convAndGrads(): Float32Array[] {
  const x = formulaTensor([4, 17, 17, 24], 1, 1);
  const w = formulaTensor([3, 3, 24, 32], 2, 0.1);
  const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')));
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same');
  const [dx, dw] = tf.grads(f)([x, w]);
  const out = [y, dx, dw].map((t) => t.dataSync() as Float32Array);
  tf.dispose([x, w, y, dx, dw]);
  return out;
}

describe('wasm threads in Node', () => {
  afterAll(async () => {
    setThreadsCount(1);
    await useBackend('cpu');
  });

  it('runs the XNNPACK pool on 2 threads and computes what 1 thread and the cpu backend compute', async () => {
    setThreadsCount(2);
    await useBackend('wasm');
    expect(backendInfo().threads).toBe(2);
    expect(getThreadsCount()).toBe(2);
    // One pool thread besides the caller lives in a worker_thread.
    const pthread = (tf.backend() as unknown as { wasm: { PThread?: { runningWorkers: unknown[] } } }).wasm.PThread;
    expect(pthread?.runningWorkers.length).toBe(1);
    const threaded = convAndGrads();

    setThreadsCount(1);
    await useBackend('wasm');
    expect(backendInfo().threads).toBe(1);
    const single = convAndGrads();

    await useBackend('cpu');
    const reference = convAndGrads();
    for (let i = 0; i < threaded.length; i++) {
      // Threads split output tiles, not reductions: the sums are the same, bit for bit.
      expect(Array.from(threaded[i])).toEqual(Array.from(single[i]));
      let maxErr = 0;
      for (let j = 0; j < reference[i].length; j++) {
        maxErr = Math.max(maxErr, Math.abs(threaded[i][j] - reference[i][j]) / (1 + Math.abs(reference[i][j])));
      }
      expect(maxErr).toBeLessThan(1e-4);
    }
  });

  it('refuses to restart a backend that holds tensors, and bad counts', async () => {
    setThreadsCount(1);
    await useBackend('wasm');
    const keep = tf.ones([2]);
    expect(() => setThreadsCount(2)).toThrow(/already holds 1 tensors/);
    keep.dispose();
    expect(() => setThreadsCount(0)).toThrow(RangeError);
    expect(() => setThreadsCount(1.5)).toThrow(/integer from 1 to 8/);
    expect(() => setThreadsCount(9)).toThrow(/integer from 1 to 8/);
  });

  it('reads RESIDUAL_WASM_THREADS', async () => {
    expect(await threadsFromEnv({})).toBeUndefined();
    expect(await threadsFromEnv({ RESIDUAL_WASM_THREADS: '2' })).toBe(2);
    const auto = await threadsFromEnv({ RESIDUAL_WASM_THREADS: 'auto' });
    expect(auto).toBe(Math.min(8, availableParallelism()));
    await expect(threadsFromEnv({ RESIDUAL_WASM_THREADS: 'many' })).rejects.toThrow(/'auto' or an integer/);
  });
});
