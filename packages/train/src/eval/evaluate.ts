import { tf } from '@residual/tensor';
import { Meter, topkHits } from '../loss/metrics';
import type { ModelLike } from '../model/types';
import { batches, type BatchSource } from '../data/source';
import { resizeShorterSide, tenCropBatch } from './crops';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Average softmax scores over the ten crops of side `cropSize` (the paper's 10-crop testing). */
  tenCrop?: boolean;
  /** Crop side for `tenCrop` (default 224). */
  cropSize?: number;
  /**
   * Shorter sides to resize each batch to, scores averaged over them (the paper's multi-scale testing
   * uses {224, 256, 384, 480, 640}). Default: the batch as it comes.
   */
  scales?: number[];
  /**
   * Run the whole resized image through the network (global average pooling makes a ResNet fully
   * convolutional), instead of cropping. Implied when `scales` is given without `tenCrop`.
   */
  fullyConvolutional?: boolean;
  /** Called after each batch with the samples done so far. */
  onBatch?(done: number): void;
}

/** Result of {@link evaluate}: accuracies and errors in [0, 1], mean loss of the averaged scores. */
export interface EvaluateResult {
  loss: number;
  acc1: number;
  acc5: number;
  top1Error: number;
  top5Error: number;
  count: number;
}

/**
 * Thrown by {@link evaluate} when the model's scores or the loss are NaN or ±Inf (weights or inputs with
 * non-finite values, a diverged run): an accuracy computed from them would look good and mean nothing.
 * @example
 * ```ts
 * import { evaluate, NonFiniteEvalError } from '@residual/train';
 * try { await evaluate(model, data); } catch (e) { if (e instanceof NonFiniteEvalError) console.error(e.samples); }
 * ```
 */
export class NonFiniteEvalError extends Error {
  constructor(
    readonly samples: number,
    readonly count: number,
    readonly loss: number,
  ) {
    super(
      `@residual/train evaluate: ${samples} of ${count} samples gave NaN or infinite scores (loss ${loss}); ` +
        'the weights or the inputs contain NaN/Inf, or training diverged. No accuracy is reported for such a model.',
    );
    this.name = 'NonFiniteEvalError';
  }
}

/** Softmax scores of one batch, averaged over the requested scales and crops. */
function averagedScores(model: ModelLike, x: tf.Tensor4D, options: EvaluateOptions): tf.Tensor2D {
  return tf.tidy(() => {
    const scales = options.scales?.length ? options.scales : [null];
    let sum: tf.Tensor | null = null;
    for (const s of scales) {
      const xs = s === null ? x : resizeShorterSide(x, s);
      const views = options.tenCrop && !options.fullyConvolutional ? tenCropBatch(xs, options.cropSize ?? 224) : [xs];
      let scaleSum: tf.Tensor | null = null;
      for (const v of views) {
        const p = tf.softmax(model.forward(v));
        scaleSum = scaleSum ? tf.add(scaleSum, p) : p;
      }
      const mean = tf.div(scaleSum as tf.Tensor, views.length);
      sum = sum ? tf.add(sum, mean) : mean;
    }
    return tf.div(sum as tf.Tensor, scales.length) as tf.Tensor2D;
  });
}

/**
 * Evaluate a model in eval mode (BatchNorm uses running statistics): top-1/top-5 accuracy and error, and
 * the cross-entropy of the averaged softmax scores. With `tenCrop` and/or `scales`, scores are averaged
 * over crops and scales as in the paper. The model's train/eval mode is restored afterwards.
 *
 * @example
 * ```ts
 * import { evaluate } from '@residual/train';
 * const r = await evaluate(model, testLoader);                         // single view
 * const r10 = await evaluate(model, valLoader256, { tenCrop: true });  // 10-crop at 224 from 256 images
 * const ms = await evaluate(model, valLoader, { scales: [224, 256, 384, 480, 640], fullyConvolutional: true });
 * console.log(r.top1Error, r10.top5Error, ms.top1Error);
 * ```
 */
export async function evaluate(model: ModelLike, data: BatchSource, options: EvaluateOptions = {}): Promise<EvaluateResult> {
  const wasTraining = model.training;
  model.eval();
  const meter = new Meter();
  try {
    for await (const { x, y } of batches(data)) {
      try {
        if (x.rank !== 4) throw new Error(`@residual/train evaluate: images must be NHWC [N, H, W, C], got [${x.shape}]`);
        const scores = averagedScores(model, x as tf.Tensor4D, options);
        const nll = tf.tidy(() => {
          const c = scores.shape[1];
          const picked = tf.sum(tf.mul(scores, tf.cast(tf.oneHot(tf.cast(y, 'int32'), c), 'float32')), 1);
          return tf.mean(tf.neg(tf.log(tf.maximum(picked, 1e-30))));
        });
        const [sd, yd, ld] = await Promise.all([scores.data(), y.data(), nll.data()]);
        const n = x.shape[0];
        meter.add(ld[0], n, topkHits(sd, yd, scores.shape[1]));
        tf.dispose([scores, nll]);
        options.onBatch?.(meter.count);
      } finally {
        tf.dispose([x, y]);
      }
    }
  } finally {
    model.train(wasTraining);
  }
  if (meter.count === 0) throw new Error('@residual/train evaluate: the data yielded no sample (an empty split or dataset?)');
  if (meter.nonFinite > 0 || !Number.isFinite(meter.loss)) throw new NonFiniteEvalError(meter.nonFinite, meter.count, meter.loss);
  return { loss: meter.loss, acc1: meter.acc1, acc5: meter.acc5, top1Error: 1 - meter.acc1, top5Error: 1 - meter.acc5, count: meter.count };
}
