import { hasKernel, SGDStep, sgdStep, tf } from '@residual/tensor';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer';

/** Hyper-parameters of {@link SGD} (PyTorch's `torch.optim.SGD`). */
export interface SGDHyper {
  lr: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Dampening of the momentum (default 0). */
  dampening: number;
  /** Nesterov momentum (default false). */
  nesterov: boolean;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
}

/** Options of {@link sgd}: hyper-parameters plus, optionally, the parameters or parameter groups. */
export type SGDOptions = Partial<SGDHyper> & { lr: number; params?: ParamsInput<SGDHyper> };

/**
 * Stochastic gradient descent with PyTorch's exact update order:
 * `d = g + wd·p`; `buf = d` on the first step, then `buf = momentum·buf + (1 − dampening)·d`;
 * `d = nesterov ? d + momentum·buf : buf`; `p −= lr·d`.
 *
 * @example
 * ```ts
 * import { SGD } from '@residual/train';
 * const opt = new SGD({ params: model, lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
 * ```
 */
export class SGD extends Optimizer<SGDHyper> {
  constructor(options: SGDOptions) {
    const { params, ...rest } = options;
    const defaults: SGDHyper = { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, ...rest };
    if (defaults.momentum < 0) throw new RangeError(`@residual/train sgd: invalid momentum ${defaults.momentum}`);
    if (defaults.weightDecay < 0) throw new RangeError(`@residual/train sgd: invalid weightDecay ${defaults.weightDecay}`);
    if (defaults.nesterov && (defaults.momentum <= 0 || defaults.dampening !== 0))
      throw new Error('@residual/train sgd: nesterov momentum requires a momentum and zero dampening');
    super(defaults, params);
  }

  protected update(name: string, p: tf.Variable, g: tf.Tensor, group: ParamGroup<SGDHyper>): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = group;
    if (hasKernel(SGDStep)) {
      // One kernel per parameter (wasm), the same float32 operations as the chain below.
      const prev = momentum !== 0 ? this.getSlot('momentum_buffer', name) : undefined;
      const [next, buf] = sgdStep(p, g, prev ?? g, { lr, momentum, dampening, nesterov, weightDecay, firstStep: !prev });
      if (momentum !== 0) this.setSlot('momentum_buffer', name, buf);
      p.assign(next);
      return;
    }
    let d = weightDecay !== 0 ? tf.add(g, tf.mul(p, weightDecay)) : g;
    if (momentum !== 0) {
      const prev = this.getSlot('momentum_buffer', name);
      let buf: tf.Tensor;
      if (!prev) buf = this.setSlot('momentum_buffer', name, tf.clone(d));
      else {
        const scaled = dampening !== 0 ? tf.mul(d, 1 - dampening) : d;
        buf = this.setSlot('momentum_buffer', name, tf.add(tf.mul(prev, momentum), scaled));
      }
      d = nesterov ? tf.add(d, tf.mul(buf, momentum)) : buf;
    }
    p.assign(tf.sub(p, tf.mul(d, lr)));
  }
}

/**
 * Create an {@link SGD} optimizer (PyTorch `torch.optim.SGD` semantics).
 *
 * @example
 * ```ts
 * import { sgd } from '@residual/train';
 * // The paper's CIFAR-10 recipe; fit() attaches the model's parameters when `params` is omitted.
 * const optimizer = sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
 * ```
 */
export function sgd(options: SGDOptions): SGD {
  return new SGD(options);
}
