// Structure against PyTorch: state-dict keys and shapes, parameter counts and multiply-adds of every
// architecture, from tools/zoo/gen_fixtures.py (torchvision 0.14 and the reference models there).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '@residual/backend-wasm';
import { tf, useBackend, seed } from '@residual/tensor';
import type { Module } from '@residual/nn';
import { createModel, getModelCard, countMacs, type CreateModelOptions } from './index';
import { FastRng } from './testing/fast-rng';

interface ArchFixture {
  params: number;
  macs: number;
  inputShape: [number, number, number];
  keys: Array<[string, number[]]> | null;
}
const fixture = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'architectures.json'), 'utf8')) as {
  models: Record<string, ArchFixture>;
};

/** Fixture name → registry name and options. */
function resolve(name: string): [string, CreateModelOptions] {
  let m = /^(resnet\d+)_optionB$/.exec(name);
  if (m) return [m[1], { shortcut: 'B' }];
  m = /^cifar_resnet(\d+)_bottleneck$/.exec(name);
  if (m) return ['cifar_resnet', { depth: Number(m[1]), block: 'bottleneck' }];
  return [name, {}];
}

// Structure does not depend on the backend; wasm builds and walks the big nets fastest. Weights come
// from FastRng: parameter counts, keys and multiply-adds do not depend on their values.
beforeAll(async () => {
  await useBackend('wasm');
});

// The numbers the issue states (torchvision's and the paper's), independent of any fixture.
const ACCEPTANCE: Array<[string, CreateModelOptions, number]> = [
  ['resnet18', {}, 11689512],
  ['resnet34', {}, 21797672],
  ['resnet50', {}, 25557032],
  ['resnet101', {}, 44549160],
  ['resnet152', {}, 60192808],
  ['resnext50_32x4d', {}, 25028904],
  ['wide_resnet50_2', {}, 68883240],
  ['wide_resnet101_2', {}, 126886696],
  ['resnext101_32x8d', {}, 88791336],
  ['resnext101_64x4d', {}, 83455272],
  ['resnet20', {}, 269722],
  ['resnet32', {}, 464154],
  ['resnet44', {}, 658586],
  ['resnet56', {}, 853018],
  ['resnet110', {}, 1727962],
  ['resnet1202', {}, 19421274],
  ['resnet20', { shortcut: 'B' }, 272474],
  ['resnet56', { shortcut: 'B' }, 855770],
];

describe('parameter counts of the issue', () => {
  it.each(ACCEPTANCE)('%s %j has %d parameters', (name, opts, expected) => {
    seed(0);
    const model = createModel(name, { ...opts, rng: new FastRng(0) });
    try {
      expect(model.numParameters()).toBe(expected);
    } finally {
      model.dispose();
    }
  });

  it('wide_resnet28_10 has the 36.5M parameters its paper reports', () => {
    const model = createModel('wide_resnet28_10', { rng: new FastRng(0) });
    try {
      expect(Math.round(model.numParameters() / 1e5) / 10).toBe(36.5);
    } finally {
      model.dispose();
    }
  });
});

describe.each(Object.keys(fixture.models))('%s against PyTorch', (fixtureName) => {
  const ref = fixture.models[fixtureName];
  const [name, opts] = resolve(fixtureName);
  let model: Module;
  beforeAll(() => {
    seed(0);
    model = createModel(name, { ...opts, rng: new FastRng(0) });
  });
  afterAll(() => model?.dispose());

  it('has its parameter count', () => {
    expect(model.numParameters()).toBe(ref.params);
  });

  it('has its state-dict keys, in order, with their shapes', () => {
    if (!ref.keys) return void expect(ref.keys).toBeNull(); // long key lists of the deepest nets are not stored
    const sd = model.stateDict();
    try {
      expect(Object.entries(sd).map(([k, v]) => [k, v.shape])).toEqual(ref.keys);
    } finally {
      Object.values(sd).forEach((t) => t.dispose());
    }
  });

  it('has its multiply-adds', () => {
    const [c, h, w] = ref.inputShape;
    const before = tf.memory().numTensors;
    expect(countMacs(model, [h, w, c]).total).toBe(ref.macs);
    expect(tf.memory().numTensors).toBe(before);
  });

  if (Object.keys(opts).length === 0) {
    it('has a card with the reference parameter count and multiply-adds', () => {
      const card = getModelCard(name);
      expect(card.params).toBe(ref.params);
      expect(card.macs).toBe(ref.macs);
      expect([card.inputSize[2], card.inputSize[0], card.inputSize[1]]).toEqual(ref.inputShape);
    });
  }
});
