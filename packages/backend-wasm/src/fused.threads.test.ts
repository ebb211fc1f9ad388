import { tf, useBackend, backendInfo } from '@residual/tensor';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { setThreadsCount } from '@residual/backend-wasm';
import { nativeRuntime } from './kernels/native/runtime';
import { convGrads, relError, type ConvCase } from './kernels/testing/conv-grads';
import { batchNormAndGrads, bits, type BnCase } from './kernels/testing/fused';

// Our native kernels split work across threads by output (filter taps × channel blocks, channels,
// pixels), or a reduction into chunks fixed by the sizes alone (the Winograd filter gradient, the batch
// norm's sums): 1 and 2 threads must give the same bits, and both must match cpu.
const CONVS: ConvCase[] = [
  { n: 2, h: 19, w: 21, ci: 5, co: 19, kh: 3, kw: 3, strides: [2, 2], pad: 'same' },
  { n: 4, h: 12, w: 12, ci: 13, co: 20, kh: 3, kw: 3, strides: [1, 1], pad: 'same' },
  { n: 3, h: 15, w: 15, ci: 3, co: 16, kh: 7, kw: 7, strides: [2, 2], pad: [[0, 0], [3, 3], [3, 3], [0, 0]] },
  { n: 4, h: 9, w: 9, ci: 16, co: 36, kh: 1, kw: 1, strides: [2, 2], pad: 'valid' },
  // 7 pixels a row, 21 rows: the forward's 4-pixel tiles span rows, each thread's share and each 64-pixel
  // block end in a different remainder, and the 24 channels are all full 8-channel blocks.
  { n: 3, h: 7, w: 7, ci: 40, co: 24, kh: 3, kw: 3, strides: [1, 1], pad: 'same' },
  // Winograd forward and input gradient (native/winograd.c), odd sizes: each thread its own range of 2×2
  // tiles, the last row and column of tiles half outside.
  { n: 2, h: 13, w: 11, ci: 40, co: 32, kh: 3, kw: 3, strides: [1, 1], pad: 'same' },
  // Winograd F(3×3, 4×4) filter gradient (native/winograd4_filter_grad.c): 100 tiles of 4×4 in 3 chunks, each
  // summed into its own accumulators and added in chunk order.
  { n: 5, h: 17, w: 13, ci: 16, co: 24, kh: 3, kw: 3, strides: [1, 1], pad: 'same' },
  // F(3×3, 2×2) filter gradient (native/winograd_filter_grad.c; 7×7 is below F(4×4, 3×3)'s 8×8): 640 tiles of
  // 2×2 in 8 chunks, 4 per thread.
  { n: 40, h: 7, w: 7, ci: 16, co: 16, kh: 3, kw: 3, strides: [1, 1], pad: 'same' },
  // Stride-2 input gradient phase by phase (native/conv2d.c's dxp_run): 1,024 pixels a phase, split across
  // both threads, each writing its pixels of dx in place.
  { n: 4, h: 32, w: 32, ci: 16, co: 32, kh: 3, kw: 3, strides: [2, 2], pad: 'same' },
];
const NORMS: BnCase[] = [
  { n: 8, h: 16, w: 16, c: 37, shift: 2, eps: 1e-5, residual: false, relu: false },
  { n: 4, h: 24, w: 24, c: 16, shift: 0, eps: 1e-5, residual: true, relu: true },
  { n: 8, h: 12, w: 12, c: 20, shift: 1, eps: 1e-5, residual: false, relu: true },
  // 66,246 pixels: 58 chunks of 1,152 (the 64-chunk cap, not the 1,024-pixel minimum), the last one short,
  // and 6 channels (a SIMD block and a scalar tail).
  { n: 2, h: 181, w: 183, c: 6, shift: 1, eps: 1e-5, residual: true, relu: true },
];

function runAll() {
  const relu = tf.tidy(() => {
    const x = tf.sin(tf.range(0, 300_001, 1, 'float32'));
    const dy = tf.cos(tf.range(0, 300_001, 1, 'float32'));
    return tf.grad((a: tf.Tensor) => tf.mul(tf.relu(a), dy))(x).dataSync() as Float32Array;
  });
  const convs = CONVS.map((c, i) => convGrads(c, 70 + i));
  const norms = NORMS.map((c, i) => batchNormAndGrads(c, 80 + i));
  // Slice and PadV2 (native/copy.c, rows split across threads): an option-A shortcut of 8×32×32×32 and its
  // gradient, large enough for both threads (integer values: exact on every backend).
  const copies = tf.tidy(() => {
    const x = tf.reshape(tf.range(0, 8 * 32 * 32 * 32, 1, 'float32'), [8, 32, 32, 32]);
    const f = (a: tf.Tensor) =>
      tf.pad(tf.reshape(tf.slice(tf.reshape(a, [8, 16, 2, 16, 2, 32]), [0, 0, 0, 0, 0, 0], [8, 16, 1, 16, 1, 32]), [8, 16, 16, 32]), [[0, 0], [0, 0], [0, 0], [16, 16]]);
    const w = tf.reshape(tf.range(0, 8 * 16 * 16 * 64, 1, 'float32'), [8, 16, 16, 64]);
    return [f(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), w)))(x)].map((t) => t.dataSync() as Float32Array);
  });
  // Add (native/elementwise.c's add_f32): 300,003 values, split on 4-value boundaries with a scalar tail.
  const sum = tf.tidy(() => {
    const a = Float32Array.from({ length: 300_003 }, (_, i) => Math.sin(i) * 1e3);
    const b = Float32Array.from({ length: 300_003 }, (_, i) => Math.cos(i * 0.7));
    return tf.add(tf.tensor1d(a), tf.tensor1d(b)).dataSync() as Float32Array;
  });
  return { relu, convs, norms, copies, sum };
}

test('native kernels on 2 threads equal 1 thread bit for bit, and cpu within 1e-4', async () => {
  await useBackend('cpu');
  const cpu = runAll();
  setThreadsCount(2);
  await useBackend('wasm');
  expect(backendInfo().threads).toBe(2);
  expect(nativeRuntime(tf.backend() as BackendWasm).pool?.threads).toBe(2);
  const two = runAll();
  setThreadsCount(1);
  await useBackend('wasm');
  expect(nativeRuntime(tf.backend() as BackendWasm).pool).toBeUndefined();
  const one = runAll();

  expect(bits(two.relu)).toEqual(bits(one.relu));
  expect(bits(two.sum)).toEqual(bits(one.sum));
  expect(bits(two.sum)).toEqual(bits(cpu.sum));
  two.copies.forEach((v, i) => {
    expect(bits(v)).toEqual(bits(one.copies[i]));
    expect(bits(v)).toEqual(bits(cpu.copies[i]));
  });
  CONVS.forEach((_, i) => {
    for (const key of ['y', 'fused', 'residual', 'residualLinear', 'dx', 'dw'] as const) {
      expect(bits(two.convs[i][key])).toEqual(bits(one.convs[i][key]));
      expect(relError(two.convs[i][key], cpu.convs[i][key])).toBeLessThanOrEqual(1e-4);
    }
  });
  NORMS.forEach((_, i) => {
    for (const key of ['y', 'mean', 'variance', 'dx', 'dScale', 'dOffset', 'dResidual'] as const) {
      expect(bits(two.norms[i][key])).toEqual(bits(one.norms[i][key]));
      expect(relError(two.norms[i][key], cpu.norms[i][key])).toBeLessThanOrEqual(1e-4);
    }
  });
});
