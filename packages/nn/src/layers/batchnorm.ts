import { tf } from '@residual/tensor';
import { Module } from '../module';
import { pyBool, pyFloat } from '../repr/python';
import { batchNormEval, batchNormTrain, type BatchNormActOptions } from '../functional/batchnorm';

/** Options of {@link BatchNorm2d}; defaults as `torch.nn.BatchNorm2d`. */
export interface BatchNorm2dOptions {
  /** @defaultValue 1e-5 */
  eps?: number;
  /** Weight of each new batch in the running statistics; `null` for a cumulative average. @defaultValue 0.1 */
  momentum?: number | null;
  /** Learnable γ (`weight`, init 1) and β (`bias`, init 0). @defaultValue true */
  affine?: boolean;
  /** Keep `running_mean`, `running_var`, `num_batches_tracked` and use them in eval mode. @defaultValue true */
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation over the channels of NHWC tensors, as `torch.nn.BatchNorm2d`.
 *
 * Train mode normalises with the batch's mean and biased variance, and updates `running_mean` and
 * `running_var` (unbiased, n/(n−1)) with `momentum`, incrementing `num_batches_tracked`; eval mode
 * uses the running statistics.
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { BatchNorm2d } from '@residual/nn';
 * const bn = new BatchNorm2d(16);
 * const y = bn.forward(tf.randomNormal([8, 4, 4, 16])); // per-channel mean ≈ 0, var ≈ 1
 * bn.eval();
 * ```
 */
export class BatchNorm2d extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;
  readonly runningMean: tf.Variable | null;
  readonly runningVar: tf.Variable | null;
  readonly numBatchesTracked: tf.Variable | null;

  constructor(
    readonly numFeatures: number,
    options: BatchNorm2dOptions = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new Error(`BatchNorm2d: numFeatures must be a positive integer, got ${numFeatures}`);
    }
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    const affine = options.affine ?? true;
    this.weight = affine ? this.registerParameter('weight', tf.ones([numFeatures])) : null;
    this.bias = affine ? this.registerParameter('bias', tf.zeros([numFeatures])) : null;
    const track = options.trackRunningStats ?? true;
    this.runningMean = track ? this.registerBuffer('running_mean', tf.zeros([numFeatures])) : null;
    this.runningVar = track ? this.registerBuffer('running_var', tf.ones([numFeatures])) : null;
    this.numBatchesTracked = track ? this.registerBuffer('num_batches_tracked', tf.scalar(0, 'int32')) : null;
  }

  protected override extraRepr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.weight !== null)}, track_running_stats=${pyBool(this.runningMean !== null)}`;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.normalize(x, {});
  }

  /**
   * `relu(forward(x) + residual)` (`relu(forward(x))` without a residual): what ends a residual block, and
   * what follows most batch norms. In training mode, where the backend has the fused `BatchNormTraining`
   * kernel (`@residual/backend-wasm`), the addition and the ReLU run inside the batch norm's own passes,
   * forward and backward, with the same values bit for bit; elsewhere (eval mode, other backends, a
   * `forward` replaced by `foldBatchNorm`) it is exactly that composition of `forward`, `tf.add` and `tf.relu`.
   *
   * @example
   * ```ts
   * // torchvision's BasicBlock ending, `relu(bn2(conv2(out)) + identity)`:
   * const y = bn2.forwardRelu(conv2.forward(out), identity);
   * ```
   */
  forwardRelu(x: tf.Tensor, residual: tf.Tensor | null = null): tf.Tensor {
    if (!this.training || this.forward !== BatchNorm2d.prototype.forward) {
      return tf.tidy(() => {
        const y = this.forward(x);
        return tf.relu(residual ? tf.add(y, residual) : y);
      });
    }
    return this.normalize(x, { residual, relu: true });
  }

  private normalize(x: tf.Tensor, act: BatchNormActOptions): tf.Tensor {
    if (x.rank !== 4 || x.shape[3] !== this.numFeatures) {
      throw new Error(
        `BatchNorm2d(${this.numFeatures}) expects NHWC input with ${this.numFeatures} channels, got shape [${x.shape.join(', ')}]`,
      );
    }
    if (!this.training && this.runningMean && this.runningVar) {
      return batchNormEval(x, this.runningMean, this.runningVar, this.weight, this.bias, this.eps);
    }
    const stats =
      this.training && this.runningMean && this.runningVar && this.numBatchesTracked
        ? {
            runningMean: this.runningMean,
            runningVar: this.runningVar,
            numBatchesTracked: this.numBatchesTracked,
            momentum: this.momentum,
          }
        : undefined;
    return batchNormTrain(x, this.weight, this.bias, this.eps, stats, act);
  }
}
