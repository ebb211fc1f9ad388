import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, useBackend } from '@residual/tensor';
import { evaluate, NonFiniteEvalError } from './evaluate';
import { LabelOutOfRangeError } from '../loss/metrics';
import { resizeShorterSide, tenCropBatch } from './crops';
import type { ModelLike } from '../model/types';

// torchvision 0.14 TenCrop / Resize outputs, written by tools/train/gen_crops.py.
const fx = JSON.parse(readFileSync(join(__dirname, '../../fixtures/crops.json'), 'utf8'));
const input = (): tf.Tensor4D => tf.tidy(() => tf.transpose(tf.reshape(tf.range(0, 2 * 7 * 9), [1, 2, 7, 9]), [0, 2, 3, 1]) as tf.Tensor4D);
const nchw = (t: tf.Tensor): number[] => Array.from(tf.tidy(() => tf.transpose(t, [0, 3, 1, 2])).dataSync());

/** A stand-in network: logits = per-channel mean of the image (any size), 2 classes; records its modes. */
function meanModel(): ModelLike & { modes: boolean[] } {
  const m = {
    training: true,
    modes: [] as boolean[],
    forward: (x: tf.Tensor) => {
      m.modes.push(m.training);
      return tf.mul(tf.mean(x, [1, 2]), 0.05);
    },
    namedParameters: () => [],
    namedBuffers: () => [],
    train: (mode = true) => void (m.training = mode),
    eval: () => void (m.training = false),
    stateDict: () => ({}),
    loadStateDict: () => undefined,
  };
  return m;
}

describe('evaluate', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('ten crops equal torchvision TenCrop (corners, centre with Python rounding, mirrored)', () => {
    const x = input();
    const crops = tenCropBatch(x, fx.crop);
    expect(crops).toHaveLength(10);
    crops.forEach((c, i) => expect(nchw(c)).toEqual(fx.tencrop[i]));
    tf.dispose([x, ...crops]);
  });

  it('shorter-side resize equals torchvision Resize on tensors', () => {
    const x = input();
    for (const side of [5, 12]) {
      const r = resizeShorterSide(x, side);
      expect([1, r.shape[3], r.shape[1], r.shape[2]]).toEqual(fx[`resize${side}_shape`]);
      const got = nchw(r);
      const want = fx[`resize${side}`] as number[];
      want.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-4));
      r.dispose();
    }
    x.dispose();
  });

  it('averages softmax scores over the ten crops, in eval mode, and restores the mode', async () => {
    const model = meanModel();
    const x = input();
    const y = tf.tensor1d([1], 'int32');
    const r = await evaluate(model, [{ x, y }], { tenCrop: true, cropSize: fx.crop });
    // Oracle: torchvision's crops, channel means, softmax, mean over crops.
    let p1 = 0;
    for (const c of fx.tencrop as number[][]) {
      const half = c.length / 2;
      const l0 = (c.slice(0, half).reduce((a, b) => a + b, 0) / half) * 0.05;
      const l1 = (c.slice(half).reduce((a, b) => a + b, 0) / half) * 0.05;
      p1 += Math.exp(l1) / (Math.exp(l0) + Math.exp(l1)) / 10;
    }
    expect(r.loss).toBeCloseTo(-Math.log(p1), 5);
    expect(r.acc1).toBe(p1 > 0.5 ? 1 : 0);
    expect(r.top1Error).toBe(1 - r.acc1);
    expect(r.count).toBe(1);
    expect(model.modes).toEqual(new Array(10).fill(false));
    expect(model.training).toBe(true);
  });

  it('multi-scale fully-convolutional: averages over scales, each on the whole resized image', async () => {
    const model = meanModel();
    const make = (): { x: tf.Tensor; y: tf.Tensor } => ({ x: input(), y: tf.tensor1d([0], 'int32') });
    const r = await evaluate(model, [make()], { scales: [5, 12], fullyConvolutional: true });
    let p0 = 0;
    for (const side of [5, 12]) {
      const v = fx[`resize${side}`] as number[];
      const half = v.length / 2;
      const l0 = (v.slice(0, half).reduce((a, b) => a + b, 0) / half) * 0.05;
      const l1 = (v.slice(half).reduce((a, b) => a + b, 0) / half) * 0.05;
      p0 += Math.exp(l0) / (Math.exp(l0) + Math.exp(l1)) / 2;
    }
    expect(r.loss).toBeCloseTo(-Math.log(p0), 4);
    expect(model.modes).toHaveLength(2);
  });

  it('does not leak tensors', async () => {
    const model = meanModel();
    const before = tf.memory().numTensors;
    await evaluate(model, [{ x: input(), y: tf.tensor1d([0], 'int32') }], { tenCrop: true, cropSize: 4, scales: [7, 8] });
    expect(tf.memory().numTensors).toBe(before);
  });
  it('refuses to report accuracy from NaN scores (a NaN weight used to give top-1 100%)', async () => {
    const nanModel = { ...meanModel(), forward: (x: tf.Tensor) => tf.mul(tf.mean(x, [1, 2]), NaN) };
    const data = [{ x: tf.ones([2, 3, 3, 2]), y: tf.tensor1d([0, 1], 'int32') }];
    const err = await evaluate(nanModel, data).catch((e) => e);
    expect(err).toBeInstanceOf(NonFiniteEvalError);
    expect(err.message).toMatch(/2 of 2 samples gave NaN or infinite scores/);
  });

  it('refuses labels outside the head, and an empty split', async () => {
    const data = [{ x: tf.ones([2, 3, 3, 2]), y: tf.tensor1d([0, 5], 'int32') }];
    await expect(evaluate(meanModel(), data)).rejects.toThrow(LabelOutOfRangeError);
    await expect(evaluate(meanModel(), [])).rejects.toThrow(/no sample/);
  });
});
