import { useBackend, backendInfo } from '@residual/tensor';
import { setThreadsCount } from '@residual/backend-wasm';
import { convGrads, relError, type ConvCase } from './kernels/testing/conv_grads';

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
