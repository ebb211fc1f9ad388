import { tf, useBackend, backendInfo } from '@residual/tensor';
import { setThreadsCount } from '@residual/backend-wasm';
import { convGrads, relError, type ConvCase } from './kernels/testing/conv-grads';

// The kernels must also be right on the threaded SIMD build (XNNPACK splits work across workers).
const CASES: ConvCase[] = [
  { n: 4, h: 16, w: 16, ci: 8, co: 8, kh: 3, kw: 3, strides: [2, 2], pad: 'same' },
  { n: 4, h: 15, w: 15, ci: 8, co: 12, kh: 3, kw: 3, strides: [1, 1], pad: 'same' },
  { n: 4, h: 16, w: 16, ci: 8, co: 12, kh: 1, kw: 1, strides: [2, 2], pad: 'valid' },
  { n: 2, h: 16, w: 16, ci: 6, co: 8, kh: 1, kw: 1, strides: [1, 1], pad: 'same' },
];

test('conv2d gradients on 2-thread wasm equal the cpu backend', async () => {
  await useBackend('cpu');
  const cpu = CASES.map((c, i) => convGrads(c, 50 + i));
  setThreadsCount(2);
  await useBackend('wasm');
  expect(backendInfo().threads).toBe(2);
  const wasm = CASES.map((c, i) => convGrads(c, 50 + i));
  CASES.forEach((_, i) => {
    expect(relError(wasm[i].dx, cpu[i].dx)).toBeLessThanOrEqual(1e-4);
    expect(relError(wasm[i].dw, cpu[i].dw)).toBeLessThanOrEqual(1e-4);
  });
});

test('Sum, Mean and OneHot (JS kernels on the shared heap) are right on 2-thread wasm', async () => {
  setThreadsCount(2);
  await useBackend('wasm');
  expect(backendInfo().threads).toBe(2);
  const v = Float32Array.from({ length: 8 * 16 * 16 * 32 }, (_, i) => 0.5 + ((i * 7919) % 1000) / 1000);
  const exact = new Float64Array(32);
  v.forEach((e, i) => (exact[i % 32] += e));
  const x = tf.tensor4d(v, [8, 16, 16, 32]);
  const s = tf.sum(x, [0, 1, 2]).dataSync();
  const m = tf.mean(x, [0, 1, 2]).dataSync();
  exact.forEach((e, c) => {
    expect(Math.abs(s[c] - e)).toBeLessThanOrEqual(2 ** -24 * e);
    expect(Math.abs(m[c] - e / 2048)).toBeLessThanOrEqual(2 ** -24 * (e / 2048));
  });
  expect(Array.from(tf.oneHot(tf.tensor1d([2, 0], 'int32'), 3, 1, 0, 'float32').dataSync())).toEqual([0, 0, 1, 1, 0, 0]);
  x.dispose();
});
