import { tf, useBackend, seed } from '@residual/tensor';
import { BatchNorm2d, Conv2d, Linear, Module, ReLU, Sequential } from './index';

class Tiny extends Module {
  readonly conv1 = this.registerModule('conv1', new Conv2d(3, 4, 3, { padding: 1, bias: false }));
  readonly bn1 = this.registerModule('bn1', new BatchNorm2d(4));
  readonly downsample = this.registerModule(
    'downsample',
    new Sequential(new Conv2d(4, 6, 1, { bias: false }), new BatchNorm2d(6)),
  );
  readonly fc = this.registerModule('fc', new Linear(6, 2));
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const h = this.downsample.forward(tf.relu(this.bn1.forward(this.conv1.forward(x))));
      return this.fc.forward(tf.mean(h, [1, 2]));
    });
  }
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('Module', () => {
  it('names parameters, buffers and state-dict keys as torchvision, in PyTorch order and layout', () => {
    const m = new Tiny();
    expect(m.namedParameters().map(([k]) => k)).toEqual([
      'conv1.weight',
      'bn1.weight',
      'bn1.bias',
      'downsample.0.weight',
      'downsample.1.weight',
      'downsample.1.bias',
      'fc.weight',
      'fc.bias',
    ]);
    expect(m.namedBuffers().map(([k]) => k)).toEqual([
      'bn1.running_mean',
      'bn1.running_var',
      'bn1.num_batches_tracked',
      'downsample.1.running_mean',
      'downsample.1.running_var',
      'downsample.1.num_batches_tracked',
    ]);
    expect(m.namedModules().map(([k]) => k)).toEqual([
      '',
      'conv1',
      'bn1',
      'downsample',
      'downsample.0',
      'downsample.1',
      'fc',
    ]);
    const sd = m.stateDict();
    expect(Object.entries(sd).map(([k, t]) => [k, t.shape, t.dtype])).toEqual([
      ['conv1.weight', [4, 3, 3, 3], 'float32'],
      ['bn1.weight', [4], 'float32'],
      ['bn1.bias', [4], 'float32'],
      ['bn1.running_mean', [4], 'float32'],
      ['bn1.running_var', [4], 'float32'],
      ['bn1.num_batches_tracked', [], 'int32'],
      ['downsample.0.weight', [6, 4, 1, 1], 'float32'],
      ['downsample.1.weight', [6], 'float32'],
      ['downsample.1.bias', [6], 'float32'],
      ['downsample.1.running_mean', [6], 'float32'],
      ['downsample.1.running_var', [6], 'float32'],
      ['downsample.1.num_batches_tracked', [], 'int32'],
      ['fc.weight', [2, 6], 'float32'],
      ['fc.bias', [2], 'float32'],
    ]);
    // OIHW element [o, i, h, w] is HWIO element [h, w, i, o].
    const oihw = sd['conv1.weight'].arraySync() as number[][][][];
    const hwio = m.conv1.weight.arraySync() as number[][][][];
    expect(oihw[3][1][2][0]).toBe(hwio[2][0][1][3]);
    expect((sd['fc.weight'].arraySync() as number[][])[1][4]).toBe(
      (m.fc.weight.arraySync() as number[][])[4][1],
    );
    expect(m.numParameters()).toBe(4 * 27 + 8 + 24 + 12 + 12 + 2);
    tf.dispose(Object.values(sd));
    m.dispose();
  });

  it('round-trips a state dict into a fresh module', () => {
    seed(1);
    const a = new Tiny();
    seed(2);
    const b = new Tiny();
    const sd = a.stateDict();
    expect(b.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const x = tf.randomNormal([2, 5, 5, 3]);
    a.eval();
    b.eval();
    const ya = a.forward(x);
    const yb = b.forward(x);
    expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
    tf.dispose([x, ya, yb, ...Object.values(sd)]);
    a.dispose();
    b.dispose();
  });

  it('seed() reproduces the initialisation', () => {
    seed(7);
    const a = new Conv2d(3, 8, 3);
    seed(7);
    const b = new Conv2d(3, 8, 3);
    expect(Array.from(a.weight.dataSync())).toEqual(Array.from(b.weight.dataSync()));
    expect(Array.from(a.bias!.dataSync())).toEqual(Array.from(b.bias!.dataSync()));
    a.dispose();
    b.dispose();
  });

  it('loadStateDict reports missing and unexpected keys, strict by default', () => {
    const m = new Tiny();
    const sd = m.stateDict();
    const extra = tf.zeros([1]);
    const partial: Record<string, tf.Tensor> = { ...sd, 'fc.extra': extra };
    delete partial['bn1.running_var'];
    expect(() => m.loadStateDict(partial)).toThrow(
      /missing keys: bn1\.running_var; unexpected keys: fc\.extra/,
    );
    expect(m.loadStateDict(partial, { strict: false })).toEqual({
      missingKeys: ['bn1.running_var'],
      unexpectedKeys: ['fc.extra'],
    });
    tf.dispose([extra, ...Object.values(sd)]);
    m.dispose();
  });

  it('loadStateDict names the key and both shapes on a size mismatch, and copies nothing', () => {
    const m = new Tiny();
    const sd = m.stateDict();
    const before = m.fc.bias!.dataSync().slice();
    const bad = { ...sd, 'fc.bias': tf.ones([2]), 'fc.weight': tf.zeros([6, 2]) };
    expect(() => m.loadStateDict(bad)).toThrow(
      "size mismatch for fc.weight: copying a tensor of shape [6, 2], the module's shape is [2, 6]",
    );
    expect(Array.from(m.fc.bias!.dataSync())).toEqual(Array.from(before));
    tf.dispose([...Object.values(sd), bad['fc.bias'], bad['fc.weight']]);
    m.dispose();
  });

  it('accepts num_batches_tracked in another integer dtype', () => {
    const bn = new BatchNorm2d(2);
    const sd = bn.stateDict();
    sd['num_batches_tracked'].dispose();
    sd['num_batches_tracked'] = tf.scalar(5, 'float32');
    bn.loadStateDict(sd);
    expect(bn.numBatchesTracked!.dtype).toBe('int32');
    expect(bn.numBatchesTracked!.dataSync()[0]).toBe(5);
    tf.dispose(Object.values(sd));
    bn.dispose();
  });

  it('train()/eval() switch the whole tree; parameters are trainable variables, buffers are not', () => {
    const m = new Tiny();
    expect(m.namedModules().every(([, c]) => c.training)).toBe(true);
    m.eval();
    expect(m.namedModules().some(([, c]) => c.training)).toBe(false);
    m.train();
    expect(m.downsample.at(1).training).toBe(true);
    expect(m.parameters().every((v) => v.trainable)).toBe(true);
    expect(m.namedBuffers().every(([, v]) => !v.trainable)).toBe(true);
    m.dispose();
  });

  it('getSubmodule() walks dotted paths; apply() visits children first', () => {
    const m = new Tiny();
    expect(m.getSubmodule('downsample.1')).toBe(m.downsample.at(1));
    expect(m.getSubmodule('')).toBe(m);
    expect(() => m.getSubmodule('downsample.7')).toThrow(
      "getSubmodule('downsample.7'): 'downsample' (Sequential) has no submodule '7'",
    );
    const order: string[] = [];
    m.apply((c) => order.push(c.constructor.name));
    expect(order).toEqual(['Conv2d', 'BatchNorm2d', 'Conv2d', 'BatchNorm2d', 'Sequential', 'Linear', 'Tiny']);
    m.dispose();
  });

  it('rejects bad names and double registration', () => {
    class Bad extends Module {
      constructor(name: string) {
        super();
        this.registerModule('a', new ReLU());
        this.registerModule(name, new ReLU());
      }
      forward(x: tf.Tensor): tf.Tensor {
        return x;
      }
    }
    expect(() => new Bad('a')).toThrow(/'a' is already registered/);
    expect(() => new Bad('b.c')).toThrow(/invalid name 'b\.c'/);
  });

  it('train-mode forward outside a gradient tape updates running stats without leaking', () => {
    const bn = new BatchNorm2d(3);
    const x = tf.randomNormal([2, 4, 4, 3]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) bn.forward(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(bn.numBatchesTracked!.dataSync()[0]).toBe(3);
    const mean = tf.mean(x, [0, 1, 2]);
    // running_mean after 3 identical batches: (1 − 0.9³) · batch mean
    const want = Array.from(mean.dataSync()).map((m) => (1 - 0.9 ** 3) * m);
    Array.from(bn.runningMean!.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    tf.dispose([x, mean]);
    bn.dispose();
  });

  it('dispose() frees every variable', () => {
    const before = tf.memory().numTensors;
    const m = new Tiny();
    expect(tf.memory().numTensors).toBe(before + m.namedParameters().length + m.namedBuffers().length);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
