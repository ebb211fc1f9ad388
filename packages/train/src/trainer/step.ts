import { tf } from '@residual/tensor';
import { softmaxCrossEntropy, type CrossEntropyOptions } from '../loss/cross-entropy';
import type { ModelLike } from '../model/types';
import type { Optimizer } from '../optim/optimizer';

/** A loss: mean over the batch of `[N, C]` logits against `[N]` labels. */
export type LossFn = (logits: tf.Tensor, labels: tf.Tensor) => tf.Scalar;

/**
 * Thrown when the loss becomes NaN or ±Inf; the parameters are left as they were before that step.
 *
 * @example
 * ```ts
 * import { fit, NonFiniteLossError } from '@residual/train';
 * try { await fit(options); } catch (e) { if (e instanceof NonFiniteLossError) console.error(e.iteration); }
 * ```
 */
export class NonFiniteLossError extends Error {
  constructor(
    readonly loss: number,
    readonly epoch: number,
    readonly iteration: number,
  ) {
    super(`@residual/train: loss is ${loss} at epoch ${epoch + 1}, iteration ${iteration} (optimizer step ${iteration}); stopping. Lower the learning rate or check the data.`);
    this.name = 'NonFiniteLossError';
  }
}

/** Result of one {@link trainStep}: the mean loss and the logits' values (for accuracy). */
export interface StepResult {
  loss: number;
  logits: Float32Array;
  numClasses: number;
}

/**
 * Build the loss function of `fit`'s `loss` option.
 *
 * @example
 * ```ts
 * import { resolveLoss } from '@residual/train';
 * const lossFn = resolveLoss({ labelSmoothing: 0.1 }); // (logits, labels) => scalar
 * ```
 */
export function resolveLoss(loss: LossFn | CrossEntropyOptions | undefined): LossFn {
  if (typeof loss === 'function') return loss;
  const opts = loss ?? {};
  return (logits, labels) => softmaxCrossEntropy(logits, labels, opts);
}

/**
 * One optimizer step: forward in the model's current mode, loss, gradients of the trainable parameters,
 * update. The loss is checked before the update, so a NaN never reaches the weights.
 *
 * @example
 * ```ts
 * import { sgd, trainStep, resolveLoss } from '@residual/train';
 * const opt = sgd({ params: model, lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
 * model.train();
 * const { loss } = await trainStep(model, opt, x, y, resolveLoss(undefined));
 * ```
 */
export async function trainStep(
  model: ModelLike,
  optimizer: Optimizer<{ lr: number }>,
  x: tf.Tensor,
  y: tf.Tensor,
  lossFn: LossFn,
  where: { epoch: number; iteration: number } = { epoch: 0, iteration: 1 },
): Promise<StepResult> {
  const named = model.namedParameters().filter(([, v]) => v.trainable);
  const byVar = new Map(named.map(([n, v]) => [v.name, n]));
  let logits: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const out = model.forward(x);
    logits = tf.keep(out);
    return lossFn(out, y);
  }, named.map(([, v]) => v));
  try {
    const [lossData, logitData] = await Promise.all([value.data(), (logits as tf.Tensor).data()]);
    const loss = lossData[0];
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss, where.epoch, where.iteration);
    const byName: Record<string, tf.Tensor> = {};
    for (const [vname, g] of Object.entries(grads)) {
      const n = byVar.get(vname);
      if (n !== undefined) byName[n] = g;
    }
    optimizer.step(byName);
    return { loss, logits: logitData as Float32Array, numClasses: (logits as tf.Tensor).shape[1] as number };
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
    logits?.dispose();
  }
}
