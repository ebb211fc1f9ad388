// He et al.'s test protocols on whole images against PyTorch (tools/train/gen_multiscale.py): three real
// photographs of different aspect ratios (2:3, 2:1, 1:1), the CIFAR ResNet-20 with the formula weights,
// fully-convolutional multi-scale (with and without mirrors) and (multi-scale) 10-crop testing,
// probabilities or logits averaged. PyTorch computes in float64; we hold float32 to 1e-4.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '@residual/backend-wasm';
import { tf, useBackend } from '@residual/tensor';
import { decodeImage } from '@residual/datasets';
import { createModel } from '@residual/zoo';
import { loadFormulaWeights } from '@residual/zoo/testing';
import type { Module } from '@residual/nn';
import { evaluateImages, imageScores, NonFiniteEvalError, type PaperEvalOptions } from '../index';

const DIR = join(__dirname, '..', '..', 'fixtures', 'multiscale');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  mean: number[];
  std: number[];
  protocols: Record<string, Omit<PaperEvalOptions, 'mean' | 'std'>>;
  images: Record<string, { shape: [number, number, number]; scores: Record<string, number[]> }>;
};

let model: Module;
beforeAll(async () => {
  await useBackend('wasm');
  model = createModel('resnet20');
  loadFormulaWeights(model);
});
afterAll(() => model.dispose());

const cases = Object.keys(expected.images).flatMap((img) => Object.keys(expected.protocols).map((p) => [img, p] as const));

describe.each(cases)('%s, %s', (file, protocol) => {
  it('gives PyTorch\'s probabilities', async () => {
    const img = await decodeImage(join(DIR, file));
    const [c, h, w] = expected.images[file]!.shape;
    expect([img.channels, img.height, img.width]).toEqual([c, h, w]);
    const before = tf.memory().numTensors;
    const got = await imageScores(model, img, { ...expected.protocols[protocol]!, mean: expected.mean, std: expected.std });
    expect(tf.memory().numTensors).toBe(before);
    const want = expected.images[file]!.scores[protocol]!;
    expect(got.length).toBe(want.length);
    let worst = 0;
    want.forEach((v, i) => (worst = Math.max(worst, Math.abs(got[i]! - v))));
    expect(worst).toBeLessThanOrEqual(1e-4);
  });
});

describe('evaluateImages', () => {
  const stats = { mean: expected.mean, std: expected.std };
  it('scores each image at its own size and aspect ratio, leaving the model in its mode and no tensor behind', async () => {
    const files = Object.keys(expected.images);
    const imgs = await Promise.all(files.map((f) => decodeImage(join(DIR, f))));
    // Label each image with PyTorch's top class under the protocol: every one is then a top-1 hit.
    const p = expected.protocols['full-softmax']!;
    const labels = files.map((f) => {
      const s = expected.images[f]!.scores['full-softmax']!;
      return s.indexOf(Math.max(...s));
    });
    model.train();
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const r = await evaluateImages(model, { length: 3, get: (i) => ({ image: imgs[i]!, label: labels[i]! }) }, { ...p, ...stats, onImage: (d) => seen.push(d) });
    expect(tf.memory().numTensors).toBe(before);
    expect(model.training).toBe(true);
    expect(r).toMatchObject({ acc1: 1, acc5: 1, top1Error: 0, count: 3 });
    const wantLoss = files.reduce((a, f, i) => a - Math.log(expected.images[f]!.scores['full-softmax']![labels[i]!]!), 0) / 3;
    expect(Math.abs(r.loss - wantLoss)).toBeLessThanOrEqual(1e-4);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('refuses NaN images, crops larger than the image, bad scales and missing images, by name', async () => {
    const img = await decodeImage(join(DIR, 'astronaut.png'));
    const nanStats = { mean: [NaN, 0, 0], std: [1, 1, 1] };
    await expect(evaluateImages(model, { length: 1, get: () => ({ image: img, label: 0 }) }, { scales: [32], ...nanStats })).rejects.toBeInstanceOf(NonFiniteEvalError);
    await expect(imageScores(model, img, { scales: [24], tenCrop: true, cropSize: 32, ...stats })).rejects.toThrow(/smaller than the 32 crop/);
    await expect(imageScores(model, img, { scales: [0], ...stats })).rejects.toThrow(/scales must be positive integers/);
    await expect(evaluateImages(model, { length: 1, get: () => ({ image: null, label: 0 }) }, { scales: [32], ...stats })).rejects.toThrow(/sample 0 has no image/);
    await expect(evaluateImages(model, { length: 0, get: () => ({ image: img, label: 0 }) }, { scales: [32], ...stats })).rejects.toThrow(/no sample/);
  });
});
