import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernel: a training-mode batch norm's running-statistics update in one pass (PyTorch semantics, float32).
 * Inputs `runningMean`, `runningVar` ([C]), the batch's `mean` and biased `variance` (C values, any
 * shape) and `numBatchesTracked` (int32 scalar); attrs {@link BatchNormRunningStatsAttrs}; outputs
 * `[runningMean, runningVar, numBatchesTracked]`. `@residual/nn`'s BatchNorm2d uses it where the backend has
 * it (see `hasKernel`) instead of 8 elementwise kernels on C values each, and an `Add` for the counter.
 */
export const BatchNormRunningStats = 'BatchNormRunningStats';

/** Attributes of {@link BatchNormRunningStats}. */
export interface BatchNormRunningStatsAttrs {
  /** Weight of the new batch; ignored when `cumulative`. */
  momentum: number;
  /** A cumulative average (PyTorch's `momentum=None`): the weight is 1 / (numBatchesTracked + 1). */
  cumulative: boolean;
  /** Values per channel in the batch (N·H·W): the variance is stored unbiased, times n / (n − 1). */
  count: number;
}

/**
 * The weights of one update, as float32 (what the op chain multiplies by): `[1 − f, f, n / (n − 1)]` with
 * `f` the momentum, or 1 / (batches so far + 1) for a cumulative average.
 */
export function runningStatsWeights(attrs: BatchNormRunningStatsAttrs, numBatchesTracked: number): [number, number, number] {
  const f = attrs.cumulative ? 1 / (numBatchesTracked + 1) : attrs.momentum;
  return [Math.fround(1 - f), Math.fround(f), Math.fround(attrs.count / (attrs.count - 1))];
}

/**
 * `runningMean ← (1 − f)·runningMean + f·mean`, `runningVar ← (1 − f)·runningVar + f·variance·n/(n − 1)`,
 * `numBatchesTracked ← numBatchesTracked + 1`, as one {@link BatchNormRunningStats} kernel with the same
 * float32 operations as the op chain. Returns the three new tensors (the caller assigns them).
 *
 * @example
 * ```ts
 * const [m, v, t] = batchNormRunningStats(runningMean, runningVar, mean, variance, numBatchesTracked,
 *   { momentum: 0.1, cumulative: false, count: 128 * 32 * 32 });
 * ```
 */
export function batchNormRunningStats(
  runningMean: tf.Tensor,
  runningVar: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  numBatchesTracked: tf.Tensor,
  attrs: BatchNormRunningStatsAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const inputs = { runningMean, runningVar, mean, variance, numBatchesTracked };
  const [m, v, t] = tf.engine().runKernel(BatchNormRunningStats, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return [m, v, t];
}
