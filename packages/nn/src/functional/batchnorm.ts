import { BatchNormRunningStats, BatchNormTraining, batchNormRunningStats, batchNormTraining, hasKernel, tf } from '@residual/tensor';

const AXES = [0, 1, 2];

/** Running statistics a training-mode batch norm updates (PyTorch semantics). */
export interface RunningStats {
  runningMean: tf.Variable;
  runningVar: tf.Variable;
  numBatchesTracked: tf.Variable;
  /** Weight of the new batch; `null` for a cumulative average (PyTorch `momentum=None`). */
  momentum: number | null;
}

/** What follows the normalisation in {@link batchNormTrain}: `relu(bn(x) + residual)`. */
export interface BatchNormActOptions {
  /** Added after the normalisation (a residual block's shortcut), same shape as `x`. */
  residual?: tf.Tensor | null;
  /** A ReLU last. @defaultValue false */
  relu?: boolean;
}

/**
 * Batch normalisation of NHWC `x` with the statistics of the batch (training mode), with a closed-form
 * backward pass: dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), dγ = Σ dy · x̂, dβ = Σ dy. On backends
 * with the fused `BatchNormTraining` kernel (`@residual/backend-wasm`) forward and backward are one
 * kernel each; elsewhere tfjs op chains compute the same formulas.
 *
 * When `stats` is given, the running mean and (unbiased) variance are updated in place and
 * `numBatchesTracked` is incremented, outside the gradient tape. With `act`, the result is
 * `relu(bn(x) + residual)`: inside the same kernel passes where the fused kernel runs (bit for bit the
 * separate kernels' values), as `tf.add` and `tf.relu` elsewhere.
 *
 * @example
 * ```ts
 * const y = batchNormTrain(tf.randomNormal([4, 8, 8, 3]), tf.ones([3]), tf.zeros([3]), 1e-5); // per-channel mean 0
 * const out = batchNormTrain(branch, gamma, beta, 1e-5, undefined, { residual: shortcut, relu: true });
 * ```
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor | null,
  beta: tf.Tensor | null,
  eps: number,
  stats?: RunningStats,
  act: BatchNormActOptions = {},
): tf.Tensor {
  const residual = act.residual ?? null;
  if (residual && (residual.rank !== 4 || residual.shape.some((d, i) => d !== x.shape[i]))) {
    throw new Error(
      `BatchNorm2d: the residual has shape [${residual.shape.join(', ')}], the input [${x.shape.join(', ')}]`,
    );
  }
  if (hasKernel(BatchNormTraining) || (!residual && !act.relu)) return normalise(x, gamma, beta, eps, stats, act);
  return tf.tidy(() => {
    const y = normalise(x, gamma, beta, eps, stats, {});
    const sum = residual ? tf.add(y, residual) : y;
    return act.relu ? tf.relu(sum) : sum;
  });
}

function normalise(
  x: tf.Tensor,
  gamma: tf.Tensor | null,
  beta: tf.Tensor | null,
  eps: number,
  stats: RunningStats | undefined,
  act: BatchNormActOptions,
): tf.Tensor {
  if (x.rank !== 4)
    throw new Error(`BatchNorm2d expects an NHWC tensor of rank 4, got shape [${x.shape.join(', ')}]`);
  const shape = x.shape as number[];
  const n = shape[0] * shape[1] * shape[2];
  if (n <= 1) {
    throw new Error(
      `BatchNorm2d: expected more than 1 value per channel when training, got input shape [${x.shape.join(', ')}]`,
    );
  }
  const affine = gamma !== null && beta !== null;
  // One kernel forward and one backward where the backend has them (wasm): 4 passes over the
  // activations instead of the 14 of the op chains below.
  if (hasKernel(BatchNormTraining)) {
    const { y, mean, variance } = batchNormTraining(
      x as tf.Tensor4D,
      affine ? (gamma as tf.Tensor1D) : null,
      affine ? (beta as tf.Tensor1D) : null,
      eps,
      { residual: (act.residual ?? null) as tf.Tensor4D | null, relu: act.relu ?? false },
    );
    if (stats) tf.tidy(() => updateRunningStats(stats, mean, variance, n));
    mean.dispose();
    variance.dispose();
    return y;
  }

  const normalise = (input: tf.Tensor, save: tf.GradSaveFunc) => {
    const mean = tf.mean(input, AXES, true);
    const centred = tf.sub(input, mean);
    const variance = tf.mean(tf.square(centred), AXES, true);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(centred, invStd);
    if (stats) updateRunningStats(stats, mean, variance, n);
    return { xhat, invStd, save };
  };

  // With per-channel sums Σdy and Σdy·x̂ (which are also dβ and dγ), the closed form
  // dx = γσ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)) is one fused pass: dy·k + x̂·a + b with per-channel k, a, b.
  const backward = (dy: tf.Tensor, xhat: tf.Tensor, invStd: tf.Tensor, g: tf.Tensor | null) => {
    const sumDy = tf.sum(dy, AXES, true);
    const sumDyXhat = tf.sum(tf.mul(dy, xhat), AXES, true);
    const k = g ? tf.mul(invStd, g) : invStd;
    const a = tf.mul(tf.mul(k, sumDyXhat), -1 / n);
    const b = tf.mul(tf.mul(k, sumDy), -1 / n);
    const dx = tf.add(tf.add(tf.mul(dy, k), b), tf.mul(xhat, a));
    return { dx, sumDy, sumDyXhat };
  };

  if (affine) {
    const f = tf.customGrad((input, g, b, saveArg) => {
      const save = saveArg as tf.GradSaveFunc;
      const { xhat, invStd } = normalise(input as tf.Tensor, save);
      save([xhat, invStd, g as tf.Tensor]);
      return {
        value: tf.add(tf.mul(xhat, g as tf.Tensor), b as tf.Tensor),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, si, sg] = saved;
          const { dx, sumDy, sumDyXhat } = backward(dy, sx, si, sg);
          return [dx, tf.reshape(sumDyXhat, sg.shape), tf.reshape(sumDy, sg.shape)];
        },
      };
    });
    return f(x, gamma, beta);
  }
  const f = tf.customGrad((input, saveArg) => {
    const save = saveArg as tf.GradSaveFunc;
    const { xhat, invStd } = normalise(input as tf.Tensor, save);
    save([xhat, invStd]);
    return {
      value: xhat,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved[0], saved[1], null).dx,
    };
  });
  return f(x);
}

// Runs inside customGrad's forward, where the engine records nothing on the tape and tidies up. One
// BatchNormRunningStats kernel where the backend has it (the same float32 operations), else the op chain.
function updateRunningStats(stats: RunningStats, mean: tf.Tensor, variance: tf.Tensor, n: number): void {
  if (hasKernel(BatchNormRunningStats)) {
    const attrs = { momentum: stats.momentum ?? 0, cumulative: stats.momentum === null, count: n };
    const [m, v, t] = batchNormRunningStats(stats.runningMean, stats.runningVar, mean, variance, stats.numBatchesTracked, attrs);
    stats.runningMean.assign(m);
    stats.runningVar.assign(v);
    stats.numBatchesTracked.assign(t);
    return;
  }
  const nbt = tf.add(stats.numBatchesTracked, tf.scalar(1, 'int32'));
  stats.numBatchesTracked.assign(nbt);
  const factor = stats.momentum ?? 1 / (nbt.dataSync()[0] as number);
  const shape = stats.runningMean.shape;
  const unbiased = tf.mul(tf.reshape(variance, shape), n / (n - 1));
  stats.runningMean.assign(
    tf.add(tf.mul(stats.runningMean, 1 - factor), tf.mul(tf.reshape(mean, shape), factor)),
  );
  stats.runningVar.assign(tf.add(tf.mul(stats.runningVar, 1 - factor), tf.mul(unbiased, factor)));
}

/**
 * Batch normalisation with fixed statistics (eval mode): (x − mean) / √(var + ε) · γ + β.
 *
 * @example
 * ```ts
 * const y = batchNormEval(x, runningMean, runningVar, gamma, beta, 1e-5);
 * ```
 */
export function batchNormEval(
  x: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  gamma: tf.Tensor | null,
  beta: tf.Tensor | null,
  eps: number,
): tf.Tensor {
  return tf.tidy(() => {
    let scale = tf.rsqrt(tf.add(variance, eps));
    if (gamma) scale = tf.mul(scale, gamma);
    let shift = tf.neg(tf.mul(mean, scale));
    if (beta) shift = tf.add(shift, beta);
    return tf.add(tf.mul(x, scale), shift);
  });
}
