import { tf, useBackend, seed } from '@residual/tensor';
import '@residual/backend-wasm';
import { BatchNorm2d, Bottleneck, foldBatchNorm, type Module } from '@residual/nn';
import { createModel } from './index';

/** Kernel calls of one run, by kernel name (tfjs's profiler). */
async function profileKernels(fn: () => void): Promise<{ rows: Array<{ kernel: string; calls: number }> }> {
  const info = await tf.profile(fn);
  const calls = new Map<string, number>();
  for (const k of info.kernels) calls.set(k.name, (calls.get(k.name) ?? 0) + 1);
  return { rows: [...calls].map(([kernel, n]) => ({ kernel, calls: n })) };
}

// foldBatchNorm lives in @residual/nn; it is tested here, on the zoo's ResNets.
describe('foldBatchNorm', () => {
  it.each(['cpu', 'wasm'] as const)('computes the eval forward of ResNet-20 with the BatchNorms folded into the convolutions (%s)', async (backend) => {
    await useBackend(backend);
    seed(3);
    const model = createModel('resnet20') as Module;
    // Non-trivial statistics and affine parameters, so a wrong fold shows.
    let k = 0;
    for (const [, m] of model.namedModules()) {
      if (!(m instanceof BatchNorm2d)) continue;
      const c = m.numFeatures;
      const f = (a: number, b: number) => tf.tensor1d(Array.from({ length: c }, (_, i) => a + b * Math.sin(i * 0.37 + k)));
      m.runningMean!.assign(f(0.1, 0.3));
      m.runningVar!.assign(f(1.2, 0.5));
      m.weight!.assign(f(1, 0.2));
      m.bias!.assign(f(0, 0.1));
      k++;
    }
    model.eval();
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => Math.cos(i * 0.11)), [2, 32, 32, 3]);
    const plain = tf.tidy(() => model.forward(x));
    const before = await profileKernels(() => tf.tidy(() => model.forward(x)).dispose());
    const fold = foldBatchNorm(model);
    expect(fold.folded).toHaveLength(19);
    const folded = tf.tidy(() => model.forward(x));
    const after = await profileKernels(() => tf.tidy(() => model.forward(x)).dispose());
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(plain, folded))).dataSync()[0] / tf.max(tf.abs(plain)).dataSync()[0]);
    expect(err).toBeLessThan(1e-5);
    const calls = (p: typeof before, name: string) => p.rows.find((r) => r.kernel === name)?.calls ?? 0;
    expect(calls(before, 'Multiply')).toBeGreaterThanOrEqual(19);
    expect(calls(after, 'Multiply')).toBe(0);
    expect(fold.fusedRelu).toHaveLength(9);
    if (backend === 'cpu') {
      // The ReLU inside each of the 9 residual branches now runs in its conv; the stem's and the 9
      // after the additions remain (cpu has no ResidualConv2D kernel: the op chain).
      expect(calls(after, 'FusedConv2D')).toBe(19);
      expect(calls(before, 'Relu')).toBe(19);
      expect(calls(after, 'Relu')).toBe(10);
    } else {
      // wasm: each block's last convolution, its shortcut addition and its ReLU are one ResidualConv2D.
      expect(calls(after, 'FusedConv2D')).toBe(10);
      expect(calls(after, 'ResidualConv2D')).toBe(9);
      expect(calls(after, 'Add')).toBe(1); // the classifier's bias
      expect(calls(after, 'Relu')).toBe(calls(before, 'Relu') - 18);
    }
    fold.restore();
    const back = tf.tidy(() => model.forward(x));
    expect(Array.from(back.dataSync())).toEqual(Array.from(plain.dataSync()));
    tf.dispose([x, plain, folded, back]);
    model.dispose();
  });

  it.each(['cpu', 'wasm'] as const)('folds a torchvision Bottleneck with a projection shortcut, ReLUs of the branch included (%s)', async (backend) => {
    await useBackend(backend);
    seed(5);
    const block = new Bottleneck(32, 16, { stride: 2 });
    let k = 0;
    for (const [, m] of block.namedModules()) {
      if (!(m instanceof BatchNorm2d)) continue;
      const c = m.numFeatures;
      const f = (a: number, b: number) => tf.tensor1d(Array.from({ length: c }, (_, i) => a + b * Math.cos(i * 0.29 + k)));
      m.runningMean!.assign(f(0.2, 0.2));
      m.runningVar!.assign(f(0.9, 0.4));
      m.weight!.assign(f(1, 0.3));
      m.bias!.assign(f(0.05, 0.1));
      k++;
    }
    block.eval();
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 9 * 9 * 32 }, (_, i) => Math.sin(i * 0.05)), [2, 9, 9, 32]);
    const plain = tf.tidy(() => block.forward(x));
    const fold = foldBatchNorm(block);
    expect(fold.folded.sort()).toEqual(['bn1', 'bn2', 'bn3', 'downsample.1']);
    expect(fold.fusedRelu).toEqual(['']);
    const folded = tf.tidy(() => block.forward(x));
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(plain, folded))).dataSync()[0] / tf.max(tf.abs(plain)).dataSync()[0]);
    expect(err).toBeLessThan(1e-5);
    fold.restore();
    tf.dispose([x, plain, folded]);
    block.dispose();
  });

  it('refuses a model in training mode', () => {
    const model = createModel('resnet20') as Module;
    expect(() => foldBatchNorm(model)).toThrow(/model.eval\(\) first/);
    model.dispose();
  });
});
