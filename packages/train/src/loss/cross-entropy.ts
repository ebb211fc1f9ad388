import { tf } from '@residual/tensor';

/** Options of {@link softmaxCrossEntropy}. */
export interface CrossEntropyOptions {
  /** PyTorch's `label_smoothing`: the target is `(1 − ε)·onehot + ε / C` (default 0). */
  labelSmoothing?: number;
}

/**
 * Mean softmax cross-entropy of logits `[N, C]` against integer labels `[N]`, as
 * `torch.nn.CrossEntropyLoss(label_smoothing=ε)`.
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { softmaxCrossEntropy } from '@residual/train';
 * const loss = softmaxCrossEntropy(tf.tensor2d([[2, 0, 0]]), tf.tensor1d([0], 'int32')); // ≈ 0.2395
 * ```
 */
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, options: CrossEntropyOptions = {}): tf.Scalar {
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`@residual/train softmaxCrossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  if (logits.rank !== 2) throw new Error(`@residual/train softmaxCrossEntropy: logits must be [N, C], got [${logits.shape}]`);
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0])
    throw new Error(`@residual/train softmaxCrossEntropy: labels must be [${logits.shape[0]}], got [${labels.shape}]`);
  return tf.tidy(() => {
    const c = logits.shape[1] as number;
    const logp = tf.logSoftmax(logits);
    const onehot = tf.cast(tf.oneHot(tf.cast(labels, 'int32'), c), 'float32');
    const nll = tf.neg(tf.sum(tf.mul(onehot, logp), 1));
    if (eps === 0) return tf.mean(nll) as tf.Scalar;
    const smooth = tf.neg(tf.mean(logp, 1));
    return tf.mean(tf.add(tf.mul(nll, 1 - eps), tf.mul(smooth, eps))) as tf.Scalar;
  });
}
