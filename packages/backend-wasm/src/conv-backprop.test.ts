import { tf, useBackend } from '@residual/tensor';
import { registerAllKernels, replacedStockKernels } from '@residual/backend-wasm';
import { conv2DBackpropInput } from './kernels/Conv2DBackpropInput';
import { conv2DBackpropFilter } from './kernels/Conv2DBackpropFilter';
import { convGrads, describeCase, onBothBackends, relError, values, type ConvCase } from './kernels/testing/conv-grads';
import { Rng } from '@residual/tensor';

const TOL = 1e-4;

const c = (
  n: number, h: number, w: number, ci: number, co: number, k: number, s: number, pad: ConvCase['pad'],
): ConvCase => ({ n, h, w, ci, co, kh: k, kw: k, strides: [s, s], pad });

// Shapes a ResNet meets (3x3 / 1x1 / 7x7 stem, stride 1 and 2) plus odd sizes and asymmetric pads.
const CASES: ConvCase[] = [
  c(1, 8, 8, 3, 4, 3, 1, 'same'),
  c(2, 8, 8, 4, 4, 3, 2, 'same'),
  c(2, 9, 7, 3, 5, 3, 2, 'same'),
  c(3, 7, 9, 2, 3, 3, 1, 'valid'),
  c(2, 10, 10, 3, 2, 3, 2, 'valid'),
  c(1, 11, 11, 3, 2, 3, 2, 'valid'),
  c(2, 8, 8, 4, 6, 1, 1, 'same'),
  c(2, 8, 8, 4, 6, 1, 2, 'valid'),
  c(2, 9, 9, 5, 3, 1, 2, 'same'),
  c(1, 16, 16, 3, 4, 7, 2, 'same'),
  c(2, 15, 13, 3, 4, 7, 2, 3),
  c(2, 9, 9, 2, 3, 7, 1, 'valid'),
  c(2, 8, 8, 3, 4, 3, 1, 1),
  c(2, 8, 7, 3, 4, 3, 2, [[0, 0], [1, 2], [0, 1], [0, 0]]),
  c(1, 6, 6, 2, 2, 3, 1, [[0, 0], [3, 0], [0, 4], [0, 0]]),
  c(2, 5, 5, 2, 3, 2, 3, 'same'),
  { ...c(2, 9, 9, 3, 2, 3, 2, 1), dimRoundingMode: 'ceil' },
  // Non-square strides only with string/explicit pads: tfjs-core sizes numeric pads with the row
  // stride for both axes, which makes the stock forward Conv2D overrun its output on wasm.
  { ...c(2, 7, 8, 2, 3, 2, 1, 'valid'), strides: [2, 1] },
  { ...c(1, 7, 9, 3, 2, 3, 1, [[0, 0], [1, 1], [2, 0], [0, 0]]), strides: [1, 2] },
];

describe('conv2d gradients on wasm equal the cpu backend', () => {
  let results: Awaited<ReturnType<typeof onBothBackends>>;
  beforeAll(async () => {
    results = await onBothBackends(CASES, (cc, i) => convGrads(cc, 100 + i));
  });
  test.each(CASES.map((cc, i) => [describeCase(cc), i] as const))('%s', (_name, i) => {
    const { cpu, wasm } = results;
    expect(relError(wasm[i].dx, cpu[i].dx)).toBeLessThanOrEqual(TOL);
    expect(relError(wasm[i].dw, cpu[i].dw)).toBeLessThanOrEqual(TOL);
  });
});

describe('kernel registration', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  test('Conv2DBackpropInput and Conv2DBackpropFilter for wasm are ours, not the stock naive loop', () => {
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(conv2DBackpropInput);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(conv2DBackpropFilter);
    // The stock kernel was found, set aside, and is not what runs.
    const stock = replacedStockKernels().get('Conv2DBackpropInput');
    expect(stock?.backendName).toBe('wasm');
    expect(stock?.kernelFunc).not.toBe(conv2DBackpropInput);
    expect(replacedStockKernels().has('Conv2DBackpropFilter')).toBe(false); // tfjs-backend-wasm 4.22 has none
  });

  test('registerAllKernels() is idempotent and keeps our kernels', () => {
    registerAllKernels();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(conv2DBackpropInput);
    expect(replacedStockKernels().get('Conv2DBackpropInput')?.kernelFunc).not.toBe(conv2DBackpropInput);
  });

  test('conv2dTranspose (which calls Conv2DBackpropInput directly) matches cpu', async () => {
    const rng = new Rng(7);
    const dyv = values(rng, 2 * 4 * 4 * 5);
    const wv = values(rng, 3 * 3 * 3 * 5);
    const run = () =>
      tf.tidy(() =>
        tf.conv2dTranspose(tf.tensor4d(dyv, [2, 4, 4, 5]), tf.tensor4d(wv, [3, 3, 3, 5]), [2, 8, 8, 3], 2, 'same')
          .dataSync() as Float32Array,
      );
    const wasm = run();
    await useBackend('cpu');
    const cpu = run();
    await useBackend('wasm');
    expect(relError(wasm, cpu)).toBeLessThanOrEqual(TOL);
  });

  test('NCHW kernels (called directly) match cpu', async () => {
    const rng = new Rng(8);
    const xv = values(rng, 2 * 3 * 7 * 6);
    const dyv = values(rng, 2 * 4 * 4 * 3);
    const wv = values(rng, 3 * 3 * 3 * 4);
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW' };
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, [2, 3, 7, 6]);
        const dy = tf.tensor4d(dyv, [2, 4, 4, 3]);
        const filter = tf.tensor4d(wv, [3, 3, 3, 4]);
        const eng = tf.engine();
        const dx = eng.runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: [2, 3, 7, 6] }) as tf.Tensor;
        const dw = eng.runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 3, 4] }) as tf.Tensor;
        return [dx.dataSync() as Float32Array, dw.dataSync() as Float32Array];
      });
    const wasm = run();
    await useBackend('cpu');
    const cpu = run();
    await useBackend('wasm');
    expect(relError(wasm[0], cpu[0])).toBeLessThanOrEqual(TOL);
    expect(relError(wasm[1], cpu[1])).toBeLessThanOrEqual(TOL);
  });

  test('a dy whose shape does not match the convolution is rejected with a clear error', () => {
    const dy = tf.zeros([1, 3, 3, 2]);
    const filter = tf.zeros([3, 3, 1, 2]);
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [1, 4, 4, 1] }),
    ).toThrow(/Conv2DBackpropInput.*dy has shape \[1,3,3,2\].*\[1,4,4,2\]/);
    tf.dispose([dy, filter]);
  });

  test('XNNPACK operators built for per-call filters are freed (wasm heap stays flat)', () => {
    // dW uses dy as a convolution filter, so every call makes a new XNNPACK operator with packed
    // weights (256 KB here); if they were not freed with dy, 40 calls would grow the heap by 10 MB.
    const heap = () => (tf.engine().backend as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    const x = tf.randomNormal([16, 32, 32, 16]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 16, 16]) as tf.Tensor4D;
    const p = tf.randomNormal([1, 1, 16, 8]) as tf.Tensor4D; // 1×1: matrix products with per-call operands
    const step = () =>
      tf.tidy(() =>
        tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          tf.add(tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')), tf.sum(tf.conv2d(a as tf.Tensor4D, c as tf.Tensor4D, 1, 'valid'))),
        )([x, w, p]).forEach((g) => g.dataSync()),
      );
    for (let i = 0; i < 3; i++) step();
    const before = heap();
    for (let i = 0; i < 40; i++) step();
    expect(heap()).toBe(before);
    tf.dispose([x, w, p]);
  });

  test('dilations > 1 and non-float32 inputs are refused with clear errors', () => {
    const dy = tf.zeros([1, 4, 4, 2]);
    const filter = tf.zeros([3, 3, 1, 2]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [1, 4, 4, 1] };
    expect(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, dilations: 2 })).toThrow(
      /Conv2DBackpropInput.*dilations > 1/,
    );
    const dyInt = tf.zeros([1, 4, 4, 2], 'int32');
    expect(() => tf.engine().runKernel('Conv2DBackpropInput', { dy: dyInt, filter }, attrs)).toThrow(/float32 'dy', got int32/);
    tf.dispose([dy, filter, dyInt]);
  });

  test('gradient calls leave no tensors and no wasm memory behind', () => {
    const x = tf.randomNormal([2, 9, 9, 3]) as tf.Tensor4D;
    const w1 = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
    const w2 = tf.randomNormal([1, 1, 3, 4]) as tf.Tensor4D;
    const step = () =>
      tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
          tf.sum(
            tf.square(tf.add(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), tf.conv2d(a as tf.Tensor4D, d as tf.Tensor4D, 2, 'valid'))),
          );
        tf.grads(f)([x, w1, w2]).forEach((g) => g.dataSync());
      });
    step(); // first call may allocate caches
    const before = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    tf.dispose([x, w1, w2]);
  });
});
