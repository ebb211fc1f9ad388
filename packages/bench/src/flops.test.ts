import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, useBackend } from '@residual/tensor';
import '@residual/backend-wasm';
import { createModel } from '@residual/zoo';
import { foldBatchNorm, type Module } from '@residual/nn';
import { kernelFlops, kernelTable } from './flops';
import { profileKernels } from './profile';

const fixture = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'macs.json'), 'utf8')) as {
  models: Record<string, { input: number[]; conv: number; linear: number }>;
};

describe('FLOP counting', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('counts what PyTorch forward hooks count for ResNet-20 (convs and fc)', async () => {
    // resnet18 would do too, but building its 11.7 M parameters takes long under jest.
    const ref = fixture.models.resnet20;
    const [n, c, h, w] = ref.input;
    const model = createModel('resnet20') as Module;
    model.eval();
    const x = tf.zeros([n, h, w, c]);
    const p = await profileKernels(() => {
      tf.tidy(() => model.forward(x)).dispose();
    });
    const conv = p.rows.filter((r) => r.kernel.includes('Conv2D')).reduce((a, r) => a + r.flops, 0);
    const matmul = p.rows.filter((r) => r.kernel.includes('MatMul')).reduce((a, r) => a + r.flops, 0);
    expect(conv).toBe(2 * ref.conv);
    expect(matmul).toBe(2 * ref.linear);
    expect(p.flops).toBe(2 * (ref.conv + ref.linear));
    x.dispose();
    model.dispose();
  });

  it('counts a folded ResNet-20 on wasm (ResidualConv2D ends each block) as the same convolutions', async () => {
    const ref = fixture.models.resnet20;
    const [n, c, h, w] = ref.input;
    await useBackend('wasm');
    try {
      const model = createModel('resnet20') as Module;
      model.eval();
      const fold = foldBatchNorm(model);
      const x = tf.zeros([n, h, w, c]);
      const p = await profileKernels(() => {
        tf.tidy(() => model.forward(x)).dispose();
      });
      const by = Object.fromEntries(p.rows.map((r) => [r.kernel, r]));
      expect(by.ResidualConv2D?.calls).toBe(9);
      const conv = p.rows.filter((r) => r.kernel.includes('Conv2D')).reduce((a, r) => a + r.flops, 0);
      expect(conv).toBe(2 * ref.conv);
      fold.restore();
      x.dispose();
      model.dispose();
    } finally {
      await useBackend('cpu');
    }
  });

  it('gives both convolution gradients the forward count, whatever the padding and stride', async () => {
    const x = tf.ones([2, 9, 9, 3]);
    const f = tf.ones([3, 3, 3, 8]);
    const p = await profileKernels(() => {
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')),
      )([x, f]);
      tf.dispose([dx, df]);
    });
    const by = Object.fromEntries(p.rows.map((r) => [r.kernel, r.flops]));
    // 'same' with stride 2 on 9×9: 5×5 outputs, each 3·3·3 multiply-adds per output channel.
    const forward = 2 * 2 * 5 * 5 * 8 * 3 * 3 * 3;
    expect(by.Conv2D).toBe(forward);
    expect(by.Conv2DBackpropInput).toBe(forward);
    expect(by.Conv2DBackpropFilter).toBe(forward);
    tf.dispose([x, f]);
  });

  it('counts batched and transposed matrix products from shapes alone', () => {
    // [3, 4, 5] · [3, 5, 6] with a transposed: a stored as [3, 5, 4].
    expect(kernelFlops({ name: 'BatchMatMul', inputShapes: [[3, 5, 4], [3, 5, 6]], outputShapes: [[3, 4, 6]], timeMs: 0 })).toBe(2 * 3 * 4 * 6 * 5);
    expect(kernelFlops({ name: 'Relu', inputShapes: [[9]], outputShapes: [[9]], timeMs: 0 })).toBe(0);
  });

  it('groups calls by kernel, slowest first, with shares and GFLOP/s', () => {
    const rows = kernelTable([
      { name: 'Relu', inputShapes: [[4]], outputShapes: [[4]], timeMs: 1 },
      { name: 'Conv2D', inputShapes: [[1, 4, 4, 1], [1, 1, 1, 1]], outputShapes: [[1, 4, 4, 1]], timeMs: 2 },
      { name: 'Relu', inputShapes: [[4]], outputShapes: [[4]], timeMs: 2 },
    ]);
    expect(rows.map((r) => [r.kernel, r.calls, r.totalMs])).toEqual([
      ['Relu', 2, 3],
      ['Conv2D', 1, 2],
    ]);
    expect(rows[0].percent).toBeCloseTo(60);
    expect(rows[0].gflops).toBeNull();
    expect(rows[1].gflops).toBeCloseTo(32 / 2e6);
  });
});
