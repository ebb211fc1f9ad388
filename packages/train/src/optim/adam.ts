import { tf } from '@residual/tensor';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer';

/**
 * Hyper-parameters of {@link Adam} and AdamW ({@link adamw}).
 * @example
 * ```ts
 * import { adam, type AdamHyper } from '@residual/train';
 * const hyper: AdamHyper = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false };
 * const optimizer = adam({ params: model, ...hyper });
 * ```
 */
export interface AdamHyper {
  lr: number;
  /** Coefficients for the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty added to the gradient; AdamW: decoupled decay `p *= 1 − lr·wd`. */
  weightDecay: number;
  /** Use the AMSGrad variant (default false). */
  amsgrad: boolean;
}

/** Options of {@link adam} / {@link adamw}. */
export type AdamOptions = Partial<AdamHyper> & { lr?: number; params?: ParamsInput<AdamHyper> };

/**
 * Adam (`torch.optim.Adam`) or, with `decoupled`, AdamW (`torch.optim.AdamW`), following PyTorch's
 * arithmetic: `step_size = lr / (1 − β1^t)`, `denom = sqrt(v) / sqrt(1 − β2^t) + eps`, `p −= step_size · m / denom`.
 *
 * @example
 * ```ts
 * import { Adam } from '@residual/train';
 * const opt = new Adam({ params: model, lr: 1e-3 }, true); // AdamW
 * ```
 */
export class Adam extends Optimizer<AdamHyper> {
  constructor(
    options: AdamOptions,
    readonly decoupled = false,
  ) {
    const { params, ...rest } = options;
    const defaults: AdamHyper = {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: decoupled ? 1e-2 : 0,
      amsgrad: false,
      ...rest,
    };
    const [b1, b2] = defaults.betas;
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new RangeError(`@residual/train adam: invalid betas [${defaults.betas}]`);
    super(defaults, params);
  }

  protected update(name: string, p: tf.Variable, g: tf.Tensor, group: ParamGroup<AdamHyper>): void {
    const { lr, betas, eps, weightDecay, amsgrad } = group;
    const [b1, b2] = betas;
    const t = this.paramSteps.get(name) ?? 1;
    let grad = g;
    let param: tf.Tensor = p;
    if (weightDecay !== 0) {
      if (this.decoupled) param = tf.mul(p, 1 - lr * weightDecay);
      else grad = tf.add(g, tf.mul(p, weightDecay));
    }
    const m0 = this.getSlot('exp_avg', name) ?? tf.zerosLike(p);
    const v0 = this.getSlot('exp_avg_sq', name) ?? tf.zerosLike(p);
    const m = this.setSlot('exp_avg', name, tf.add(tf.mul(m0, b1), tf.mul(grad, 1 - b1)));
    const v = this.setSlot('exp_avg_sq', name, tf.add(tf.mul(v0, b2), tf.mul(tf.mul(grad, grad), 1 - b2)));
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    let second: tf.Tensor = v;
    if (amsgrad) {
      const prev = this.getSlot('max_exp_avg_sq', name);
      second = this.setSlot('max_exp_avg_sq', name, prev ? tf.maximum(prev, v) : tf.clone(v));
    }
    const denom = tf.add(tf.div(tf.sqrt(second), bc2Sqrt), eps);
    p.assign(tf.sub(param, tf.mul(tf.div(m, denom), stepSize)));
  }
}

/**
 * Create an Adam optimizer (`torch.optim.Adam` semantics, L2 weight decay added to the gradient).
 *
 * @example
 * ```ts
 * import { adam } from '@residual/train';
 * const optimizer = adam({ lr: 1e-3 });
 * ```
 */
export function adam(options: AdamOptions = {}): Adam {
  return new Adam(options, false);
}

/**
 * Create an AdamW optimizer (`torch.optim.AdamW` semantics, decoupled weight decay, default 1e-2).
 *
 * @example
 * ```ts
 * import { adamw } from '@residual/train';
 * const optimizer = adamw({ lr: 1e-3, weightDecay: 0.05 });
 * ```
 */
export function adamw(options: AdamOptions = {}): Adam {
  return new Adam(options, true);
}
