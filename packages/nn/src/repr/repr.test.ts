import { useBackend } from '@residual/tensor';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  Identity,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
} from '../index';
import { readJson } from '../testing/fixtures';
import { pyFloat } from './python';

beforeAll(async () => {
  await useBackend('cpu');
});

const expected = readJson<Record<string, string>>('reprs.json');

const modules: Record<string, () => Module> = {
  conv_stem: () => new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false }),
  conv_plain: () => new Conv2d(3, 8, 3),
  conv_groups: () => new Conv2d(8, 16, [3, 1], { padding: [1, 0], dilation: 2, groups: 4 }),
  conv_same: () => new Conv2d(2, 3, 4, { padding: 'same' }),
  bn: () => new BatchNorm2d(64),
  bn_cma: () => new BatchNorm2d(8, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: false }),
  linear: () => new Linear(512, 1000),
  linear_nobias: () => new Linear(4, 2, { bias: false }),
  maxpool: () => new MaxPool2d(3, { stride: 2, padding: 1 }),
  avgpool: () => new AvgPool2d(2),
  adaptive: () => new AdaptiveAvgPool2d(1),
  adaptive_pair: () => new AdaptiveAvgPool2d([1, 1]),
  flatten: () => new Flatten(),
  dropout: () => new Dropout(0.2),
  relu: () => new ReLU(),
  identity: () => new Identity(),
  sequential: () => new Sequential(new Conv2d(64, 128, 1, { stride: 2, bias: false }), new BatchNorm2d(128)),
  nested: () => new Sequential(new Sequential(new Linear(2, 3)), new ReLU()),
};

describe("toString() prints PyTorch's module description", () => {
  it('covers every fixture', () => {
    expect(Object.keys(modules).sort()).toEqual(Object.keys(expected).sort());
  });
  it.each(Object.keys(expected))('%s', (name) => {
    const m = modules[name]();
    expect(String(m)).toBe(expected[name]);
    m.dispose();
  });
  it('formats floats as Python does', () => {
    expect([1e-5, 0.1, 1, 1e-4, 2.5e-7, 1e16].map(pyFloat)).toEqual([
      '1e-05',
      '0.1',
      '1.0',
      '0.0001',
      '2.5e-07',
      '1e+16',
    ]);
  });
});
