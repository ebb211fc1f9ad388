import { Rng, tf, useBackend } from '@residual/tensor';
import {
  BasicBlock,
  BatchNorm2d,
  Bottleneck,
  Conv2d,
  PreActBasicBlock,
  Sequential,
  WideBasicBlock,
  shortcutA,
  subsample,
} from '../index';

beforeAll(async () => {
  await useBackend('cpu');
});

const keys = (m: { stateDict(): Record<string, tf.Tensor> }) => {
  const sd = m.stateDict();
  const out = Object.keys(sd);
  tf.dispose(Object.values(sd));
  return out;
};

describe('shortcut option A', () => {
  it('subsample equals x[:, ::s, ::s, :] for odd and even sizes, with a gradient', () => {
    const [n, h, w, c] = [2, 5, 6, 3];
    const x = tf.tensor4d(
      Array.from({ length: n * h * w * c }, (_, i) => i),
      [n, h, w, c],
    );
    for (const s of [1, 2, 3]) {
      const got = subsample(x, s).arraySync();
      const want = (x.arraySync() as number[][][][]).map((img) =>
        img.filter((_, r) => r % s === 0).map((row) => row.filter((_, q) => q % s === 0)),
      );
      expect(got).toEqual(want);
    }
    const g = tf.grad((t) => tf.sum(subsample(t as tf.Tensor4D, 2)))(x);
    // every kept pixel gets gradient 1, the others 0
    expect(tf.sum(g).dataSync()[0]).toBe(n * 3 * 3 * c);
    expect((g.arraySync() as number[][][][])[0][1][0][0]).toBe(0);
  });

  it('subsample of sizes that are multiples of the stride (no pad) has the strided values and gradient', () => {
    const x = tf.tensor4d(
      Array.from({ length: 2 * 4 * 6 * 3 }, (_, i) => i),
      [2, 4, 6, 3],
    );
    const got = subsample(x, 2).arraySync();
    const want = (x.arraySync() as number[][][][]).map((img) =>
      img.filter((_, r) => r % 2 === 0).map((row) => row.filter((_, q) => q % 2 === 0)),
    );
    expect(got).toEqual(want);
    const g = tf.grad((t) => tf.sum(tf.mul(subsample(t as tf.Tensor4D, 2), 3)))(x).arraySync() as number[][][][];
    for (const img of g)
      img.forEach((row, r) => row.forEach((px, q) => expect(px).toEqual(Array(3).fill(r % 2 === 0 && q % 2 === 0 ? 3 : 0))));
  });

  it('pads new channels evenly on both sides (planes // 4 each side when channels double)', () => {
    const x = tf.ones([1, 4, 4, 16]) as tf.Tensor4D;
    const y = shortcutA(x, 32, 2);
    expect(y.shape).toEqual([1, 2, 2, 32]);
    const ch = (y.arraySync() as number[][][][])[0][0][0];
    expect(ch).toEqual([...Array(8).fill(0), ...Array(16).fill(1), ...Array(8).fill(0)]);
    expect(() => shortcutA(x, 8, 1)).toThrow(/cannot reduce channels/);
  });
});

describe('block structure and state-dict keys', () => {
  it('option B projects only where the shape changes; C everywhere; A and plain have no parameters', () => {
    expect(keys(new BasicBlock(8, 8))).toEqual(expect.not.arrayContaining(['downsample.0.weight']));
    expect(keys(new BasicBlock(8, 16, { stride: 2 }))).toEqual(
      expect.arrayContaining(['downsample.0.weight', 'downsample.1.running_var']),
    );
    expect(keys(new BasicBlock(8, 8, { shortcut: 'C' }))).toEqual(
      expect.arrayContaining(['downsample.0.weight', 'downsample.1.weight']),
    );
    expect(
      keys(new BasicBlock(8, 16, { stride: 2, shortcut: 'A' })).some((k) => k.startsWith('downsample')),
    ).toBe(false);
    const plain = new BasicBlock(8, 16, { stride: 2, plain: true });
    expect(plain.residual).toBe(false);
    expect(keys(plain).some((k) => k.startsWith('downsample'))).toBe(false);
    expect(keys(new PreActBasicBlock(8, 16, { stride: 2 }))).toEqual([
      'bn1.weight',
      'bn1.bias',
      'bn1.running_mean',
      'bn1.running_var',
      'bn1.num_batches_tracked',
      'conv1.weight',
      'bn2.weight',
      'bn2.bias',
      'bn2.running_mean',
      'bn2.running_var',
      'bn2.num_batches_tracked',
      'conv2.weight',
      'shortcut.0.weight',
    ]);
  });

  it('plain blocks are the residual block minus the shortcut', () => {
    const x = tf.randomNormal([2, 6, 6, 8]);
    const res = new BasicBlock(8, 8);
    const plain = new BasicBlock(8, 8, { plain: true });
    const sd = res.stateDict();
    plain.loadStateDict(sd);
    const diff = tf.tidy(() => {
      const branch = res.bn2.forward(res.conv2.forward(tf.relu(res.bn1.forward(res.conv1.forward(x)))));
      return tf.max(tf.abs(tf.sub(plain.forward(x), tf.relu(branch))));
    });
    expect(diff.dataSync()[0]).toBe(0);
    tf.dispose([x, diff, ...Object.values(sd)]);
  });

  it('Bottleneck width follows ResNeXt / wide ResNet (planes · baseWidth/64 · groups)', () => {
    // Shapes from torchvision 0.14's resnext50_32x4d and wide_resnet50_2.
    expect(new Bottleneck(64, 64, { groups: 32, baseWidth: 4 }).width).toBe(128);
    expect(new Bottleneck(64, 64, { baseWidth: 128 }).width).toBe(128);
    const b = new Bottleneck(256, 128, { stride: 2, groups: 32, baseWidth: 4 });
    expect(b.outChannels).toBe(512);
    const sd = b.stateDict();
    expect(sd['conv2.weight'].shape).toEqual([256, 8, 3, 3]);
    expect(sd['conv3.weight'].shape).toEqual([512, 256, 1, 1]);
    expect(b.residualBn).toBe(b.bn3);
    tf.dispose(Object.values(sd));
  });

  it('accepts a ready-made downsample module as torchvision does', () => {
    const ds = new Sequential(new Conv2d(8, 16, 1, { stride: 2, bias: false }), new BatchNorm2d(16));
    const b = new BasicBlock(8, 16, { stride: 2, downsample: ds });
    expect(b.downsample).toBe(ds);
    expect(b.forward(tf.zeros([1, 8, 8, 8])).shape).toEqual([1, 4, 4, 16]);
  });

  it('bad options fail clearly', () => {
    expect(() => new BasicBlock(8, 8, { groups: 2 })).toThrow(/groups=1/);
    expect(() => new BasicBlock(8, 8, { shortcut: 'D' as 'A' })).toThrow(/unknown shortcut type 'D'/);
    expect(() => new BasicBlock(8, 8, { stride: 0 })).toThrow(/stride must be a positive integer/);
  });

  it('WideBasicBlock is a PreActBasicBlock with dropout between its convolutions, in train mode only', () => {
    const rng = new Rng(3);
    const wide = new WideBasicBlock(4, 8, 0.5, { stride: 2, rng });
    const pre = new PreActBasicBlock(4, 8, { stride: 2, rng });
    expect(wide.namedParameters().map(([k]) => k)).toEqual(pre.namedParameters().map(([k]) => k));
    const x = tf.randomUniform([2, 6, 6, 4], -1, 1, 'float32', 1);
    const [a, b] = [wide.forward(x), wide.forward(x)];
    expect(a.shape).toEqual([2, 3, 3, 8]);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(0);
    wide.eval();
    pre.loadStateDict(wide.stateDict());
    pre.eval();
    // In eval mode the dropout is the identity, so the two blocks compute the same function.
    expect(Array.from(wide.forward(x).dataSync())).toEqual(Array.from(pre.forward(x).dataSync()));
    expect(() => new WideBasicBlock(4, 8, 1)).toThrow(/WideBasicBlock: dropRate must be in \[0, 1\), got 1/);
    expect(() => new WideBasicBlock(4, 8, NaN)).toThrow(/dropRate/);
  });
});
