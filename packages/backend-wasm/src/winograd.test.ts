import { tf, useBackend, Rng } from '@residual/tensor';
import '@residual/backend-wasm';
import { convGeometry } from './kernels/conv-geometry';
import { useWinograd, winogradTile } from './kernels/Conv2D';
import { convGrads, relError, values, type ConvCase } from './kernels/testing/conv-grads';

// 3×3 stride-1 convolutions with 16–256 input channels run as Winograd on wasm: F(4×4, 3×3)
// (native/winograd4.c) up to 128 channels and outputs of 8×8 or more, F(2×2, 3×3) (native/winograd.c)
// otherwise; so do the input gradients of those whose output channels qualify; their filter
// gradients run as F(3×3, 2×2) (native/winograd_filter_grad.c). The oracle
// is tfjs's cpu backend: values, the fused and residual forms, and both gradients within 1e-4 of the
// largest value (a wrong transform is off by O(1)).
const CASES: Array<ConvCase & { tiles: [Tile, Tile] }> = [
  // Even sizes: every tile whole; forward and input gradient both Winograd.
  { n: 2, h: 8, w: 8, ci: 32, co: 32, kh: 3, kw: 3, strides: [1, 1], pad: 'same', tiles: [4, 4] },
  // Odd sizes: the last tile row and column are half outside; dx direct (36 channels out of it).
  { n: 3, h: 7, w: 9, ci: 36, co: 40, kh: 3, kw: 3, strides: [1, 1], pad: 'same', tiles: [2, 0] },
  // Valid padding, 64 channels in, 8 out (dx has 8 input channels: direct).
  { n: 1, h: 10, w: 6, ci: 64, co: 8, kh: 3, kw: 3, strides: [1, 1], pad: 'valid', tiles: [2, 0] },
  // 16 channels, the fewest Winograd takes, both ways.
  { n: 4, h: 6, w: 10, ci: 16, co: 16, kh: 3, kw: 3, strides: [1, 1], pad: 'same', tiles: [2, 2] },
  // Asymmetric explicit padding and 256 channels, the most Winograd takes.
  { n: 2, h: 5, w: 5, ci: 256, co: 48, kh: 3, kw: 3, strides: [1, 1], pad: [[0, 0], [2, 0], [0, 1], [0, 0]], tiles: [2, 2] },
  // Odd sizes in the input gradient's Winograd (13×11, 40 channels out of it).
  { n: 2, h: 13, w: 11, ci: 40, co: 32, kh: 3, kw: 3, strides: [1, 1], pad: 'same', tiles: [4, 4] },
  // One pixel: a single tile, three quarters of it padding.
  { n: 2, h: 1, w: 1, ci: 32, co: 8, kh: 3, kw: 3, strides: [1, 1], pad: 'same', tiles: [2, 0] },
  // 100 tiles of 4×4: the filter gradient sums them in 3 chunks (wgf4_chunks), which start inside an image.
  { n: 5, h: 17, w: 13, ci: 16, co: 24, kh: 3, kw: 3, strides: [1, 1], pad: 'same', tiles: [4, 4] },
  // 7×7, F(2×2, 3×3): 640 tiles of 2×2, whose filter gradient sums them in 8 chunks (wgf_chunks).
  { n: 40, h: 7, w: 7, ci: 16, co: 16, kh: 3, kw: 3, strides: [1, 1], pad: 'same', tiles: [2, 2] },
  // F(4×4, 3×3) with 128 channels in, the most it takes: 9×10, the last tile row 1 row and its last column
  // 2 columns inside; the input gradient (16 in, 128 out) too.
  { n: 2, h: 9, w: 10, ci: 128, co: 16, kh: 3, kw: 3, strides: [1, 1], pad: 'same', tiles: [4, 4] },
  // F(4×4, 3×3) 11×15: the last tiles 3 rows and 3 columns inside; dx direct (20 channels out of it).
  { n: 1, h: 11, w: 15, ci: 20, co: 16, kh: 3, kw: 3, strides: [1, 1], pad: 'same', tiles: [4, 0] },
  // The kernels read x unpadded and gather a border tile's patch with its zeros (native/winograd.h's
  // tilePatch). F(4×4, 3×3) with a top padding of 5 (the first tile row wholly in it, the second partly) and a
  // right one of 6; its input gradient crops its output instead.
  { n: 2, h: 9, w: 8, ci: 16, co: 16, kh: 3, kw: 3, strides: [1, 1], pad: [[0, 0], [5, 1], [0, 6], [0, 0]], tiles: [4, 4] },
  // F(4×4, 3×3) without padding: only the last tile row and column read past x.
  { n: 2, h: 12, w: 11, ci: 32, co: 16, kh: 3, kw: 3, strides: [1, 1], pad: 'valid', tiles: [4, 4] },
  // The F(4×4, 3×3) kernels are compiled once more for Ci = Co = 16, 32 and 64 (constant offsets): 16 and 32
  // are above, 64 here; 128 takes the general one. Both with partial last tiles.
  { n: 2, h: 9, w: 8, ci: 64, co: 64, kh: 3, kw: 3, strides: [1, 1], pad: 'same', tiles: [4, 4] },
  { n: 1, h: 8, w: 11, ci: 128, co: 128, kh: 3, kw: 3, strides: [1, 1], pad: 'same', tiles: [4, 4] },
];
type Tile = 0 | 2 | 4;

const geometry = (c: ConvCase, transpose = false) =>
  convGeometry(
    'Conv2D',
    [c.n, c.h, c.w, transpose ? c.co : c.ci],
    [c.kh, c.kw, transpose ? c.co : c.ci, transpose ? c.ci : c.co],
    { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1 } as never,
  );

test.each(CASES.map((c) => [`x[${c.n},${c.h},${c.w},${c.ci}] * w[3,3,${c.ci},${c.co}] pad ${JSON.stringify(c.pad)}`, c] as const))(
  'Winograd %s matches cpu',
  async (_, c) => {
    expect(useWinograd(geometry(c))).toBe(true);
    // The input gradient is a 3×3 stride-1 convolution of dy (co channels) into ci channels.
    expect([winogradTile(geometry(c)), winogradTile(geometry(c, true))]).toEqual(c.tiles);
    await useBackend('cpu');
    const cpu = convGrads(c, 31);
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const wasm = convGrads(c, 31);
    expect(tf.memory().numTensors).toBe(before);
    for (const key of ['y', 'fused', 'residual', 'residualLinear', 'dx', 'dw'] as const) {
      const err = relError(wasm[key], cpu[key]);
      if (!(err <= 1e-4)) throw new Error(`${key}: relative error ${err}`);
    }
  },
);

test('F(4×4, 3×3) up to 128 input channels and from 8×8 outputs, F(2×2, 3×3) beyond', () => {
  const base: ConvCase = { n: 1, h: 8, w: 8, ci: 32, co: 32, kh: 3, kw: 3, strides: [1, 1], pad: 'same' };
  expect(winogradTile(geometry(base))).toBe(4);
  expect(winogradTile(geometry({ ...base, ci: 128 }))).toBe(4);
  expect(winogradTile(geometry({ ...base, ci: 132 }))).toBe(2);
  expect(winogradTile(geometry({ ...base, h: 7 }))).toBe(2);
  expect(winogradTile(geometry({ ...base, w: 7 }))).toBe(2);
  expect(winogradTile(geometry({ ...base, pad: 'valid', h: 10, w: 10 }))).toBe(4);
  expect(winogradTile(geometry({ ...base, ci: 8 }))).toBe(0);
  expect(winogradTile(geometry({ ...base, strides: [2, 2] }))).toBe(0);
});

test('out of range for Winograd: 8 or 512 input channels, stride 2, 5×5, 12 output channels', () => {
  const base: ConvCase = { n: 1, h: 8, w: 8, ci: 32, co: 32, kh: 3, kw: 3, strides: [1, 1], pad: 'same' };
  expect(useWinograd(geometry(base))).toBe(true);
  expect(useWinograd(geometry({ ...base, ci: 8 }))).toBe(false);
  expect(useWinograd(geometry({ ...base, ci: 512 }))).toBe(false);
  expect(useWinograd(geometry({ ...base, ci: 16 }))).toBe(true);
  expect(useWinograd(geometry({ ...base, ci: 256 }))).toBe(true);
  expect(useWinograd(geometry({ ...base, ci: 34 }))).toBe(false);
  expect(useWinograd(geometry({ ...base, strides: [2, 2] }))).toBe(false);
  expect(useWinograd(geometry({ ...base, kh: 5, kw: 5 }))).toBe(false);
  expect(useWinograd(geometry({ ...base, co: 12 }))).toBe(false);
});

test('the filter gradient is zero for an empty batch and has no finite value where cpu has NaN', async () => {
  const rng = new Rng(9);
  const xv = values(rng, 2 * 6 * 6 * 16);
  xv[(1 * 36 + 2 * 6 + 3) * 16 + 5] = NaN;
  const dyv = values(rng, 2 * 6 * 6 * 8);
  const run = (n: number) =>
    tf.tidy(() => {
      const x = tf.tensor4d(xv.subarray(0, n * 576), [n, 6, 6, 16]);
      const dy = tf.tensor4d(dyv.subarray(0, n * 288), [n, 6, 6, 8]);
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 8] };
      const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as never) as tf.Tensor;
      return dw.dataSync() as Float32Array;
    });
  await useBackend('cpu');
  const cpu = run(2);
  await useBackend('wasm');
  expect(useWinograd(geometry({ n: 2, h: 6, w: 6, ci: 16, co: 8, kh: 3, kw: 3, strides: [1, 1], pad: 'same' }))).toBe(true);
  const wasm = run(2);
  let nonFinite = 0;
  for (let i = 0; i < cpu.length; i++) {
    if (Number.isFinite(cpu[i])) expect(Math.abs(wasm[i] - cpu[i])).toBeLessThanOrEqual(1e-4 * 36);
    else {
      nonFinite++;
      expect(Number.isFinite(wasm[i])).toBe(false);
    }
  }
  // Channel 5's 9 taps for every output channel.
  expect(nonFinite).toBe(9 * 8);
  expect(Array.from(run(0)).every((v) => v === 0)).toBe(true);
});

test.each([6, 10])('a NaN or Inf input reaches every output its 3×3 window covers, and finite outputs match cpu (h = %i)', async (h) => {
  // Winograd mixes a whole 4×4 (F(2×2, 3×3), at 6×6) or 6×6 (F(4×4, 3×3), at 10×10) patch into each tile, so
  // a non-finite input may also poison the tile's outputs whose windows miss it (0·Inf is NaN): never a
  // finite-looking value where cpu has NaN or Inf.
  const rng = new Rng(5);
  const shape: [number, number, number, number] = [1, h, h, 32];
  const xv = values(rng, h * h * 32);
  xv[(2 * h + 3) * 32 + 5] = NaN;
  xv[(5 * h + 0) * 32 + 7] = Infinity;
  xv[((h - 1) * h + h - 1) * 32 + 9] = -Infinity;
  const wv = values(rng, 9 * 32 * 8);
  expect(winogradTile(convGeometry('Conv2D', shape, [3, 3, 32, 8], { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 } as never))).toBe(h === 6 ? 2 : 4);
  const run = () =>
    tf.tidy(() => tf.conv2d(tf.tensor4d(xv, shape), tf.tensor4d(wv, [3, 3, 32, 8]), 1, 'same').dataSync() as Float32Array);
  await useBackend('cpu');
  const cpu = run();
  await useBackend('wasm');
  const wasm = run();
  let nonFinite = 0;
  let scale = 0;
  for (const v of cpu) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < cpu.length; i++) {
    if (!Number.isFinite(cpu[i])) {
      nonFinite++;
      expect(Number.isFinite(wasm[i])).toBe(false);
    } else if (Number.isFinite(wasm[i])) {
      expect(Math.abs(wasm[i] - cpu[i])).toBeLessThanOrEqual(1e-4 * scale);
    }
  }
  expect(nonFinite).toBeGreaterThan(0);
});
