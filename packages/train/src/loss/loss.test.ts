import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, useBackend } from '@residual/tensor';
import { softmaxCrossEntropy } from './cross-entropy';
import { LabelOutOfRangeError, topkHits } from './metrics';

// torch.nn.functional.cross_entropy values and gradients, from tools/train/gen_loss.py.
const fx = JSON.parse(readFileSync(join(__dirname, '../../fixtures/loss.json'), 'utf8')) as {
  labels: number[];
  cases: Array<{ labelSmoothing: number; loss: number; grad: number[] }>;
};

describe('softmaxCrossEntropy', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  const logits = (): tf.Tensor2D => tf.tensor2d(Float32Array.from({ length: 20 }, (_, i) => 3 * Math.sin(0.7 * i + 0.3)), [4, 5]);

  for (const c of fx.cases) {
    it(`matches F.cross_entropy (label_smoothing=${c.labelSmoothing}) and its gradient`, () => {
      const y = tf.tensor1d(fx.labels, 'int32');
      const x = logits();
      const { value, grads } = tf.valueAndGrads((l: tf.Tensor) => softmaxCrossEntropy(l, y, { labelSmoothing: c.labelSmoothing }))([x]);
      expect(Math.abs(value.dataSync()[0] - c.loss) / c.loss).toBeLessThan(1e-6);
      const g = grads[0].dataSync();
      c.grad.forEach((v, i) => expect(Math.abs(g[i] - v)).toBeLessThan(1e-6));
      tf.dispose([x, y, value, ...grads]);
    });
  }

  it('names the problem with bad shapes', () => {
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([3], 'int32'))).toThrow(/labels must be \[2\]/);
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([2], 'int32'), { labelSmoothing: 2 })).toThrow(/labelSmoothing/);
  });
});

describe('topkHits', () => {
  it('counts a label as top-k when fewer than k classes score higher', () => {
    // 7 classes; row 0: label 2 is best; row 1: label 0 is 6th best; row 2: label 6 is 5th best.
    const s = [0, 1, 9, 2, 3, 4, 5, /**/ 1, 2, 3, 4, 5, 6, 0.5, /**/ 7, 6, 5, 4, 0, 0, 3.5];
    expect(topkHits(s, [2, 0, 6], 7)).toEqual({ top1: 1, top5: 2, nonFinite: 0 });
  });

  it('never counts a row with a NaN or ±Inf score as a hit (NaN compares false, so it used to win)', () => {
    const s = [NaN, 0.1, 0.2, /**/ 0.3, NaN, 0.1, /**/ 0.1, Infinity, 0.2, /**/ 0.1, 0.9, 0.2];
    expect(topkHits(s, [0, 0, 1, 1], 3)).toEqual({ top1: 1, top5: 1, nonFinite: 3 });
    expect(topkHits([NaN, NaN], [0], 2)).toEqual({ top1: 0, top5: 0, nonFinite: 1 });
  });

  it('refuses a label that is not a class of the head, naming it', () => {
    expect(() => topkHits([0.1, 0.9, 0.2, 0.3], [1, 7], 2)).toThrow(LabelOutOfRangeError);
    expect(() => topkHits([0.1, 0.9, 0.2, 0.3], [1, 7], 2)).toThrow(/label 7 \(sample 1 of the batch\).*2 classes/);
    expect(() => topkHits([0.1, 0.9], [-1], 2)).toThrow(LabelOutOfRangeError);
    expect(() => topkHits([0.1, 0.9], [0.5], 2)).toThrow(LabelOutOfRangeError);
  });
});
