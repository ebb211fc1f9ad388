import { adam, adamw, type AdamHyper } from './adam';
import { noDecayOnNormAndBias, type HasNamedParameters, type NamedParams, type Optimizer } from './optimizer';
import { sgd, type SGDHyper } from './sgd';

/**
 * An optimizer as data — what a recipe's `optimizer` holds: torch.optim's name (lower case, as timm's
 * `opt` strings) and its hyper-parameters, with torch's defaults for what is left out.
 */
export type OptimizerSpec =
  | ({ name: 'sgd' } & Partial<SGDHyper> & { lr: number; noDecayOnNormAndBias?: boolean })
  | ({ name: 'adam' | 'adamw' } & Partial<AdamHyper> & { noDecayOnNormAndBias?: boolean });

/** The names {@link createOptimizer} knows. */
export const OPTIMIZER_NAMES = ['sgd', 'adam', 'adamw'] as const;

/**
 * Build an optimizer from its spec (timm's `create_optimizer_v2`): `noDecayOnNormAndBias` puts BatchNorm
 * and bias parameters in a group without weight decay.
 *
 * @example
 * ```ts
 * import { createOptimizer } from '@residual/train';
 * const opt = createOptimizer(model, { name: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
 * ```
 */
export function createOptimizer(params: HasNamedParameters | NamedParams, spec: OptimizerSpec): Optimizer<{ lr: number }> {
  const { name, noDecayOnNormAndBias: exempt, ...hyper } = spec;
  const groups = exempt ? noDecayOnNormAndBias(params) : params;
  switch (name) {
    case 'sgd':
      return sgd({ ...(hyper as Partial<SGDHyper> & { lr: number }), params: groups as never });
    case 'adam':
      return adam({ ...(hyper as Partial<AdamHyper>), params: groups as never });
    case 'adamw':
      return adamw({ ...(hyper as Partial<AdamHyper>), params: groups as never });
    default:
      throw new Error(`@residual/train createOptimizer: unknown optimizer '${String(name)}' (known: ${OPTIMIZER_NAMES.join(', ')})`);
  }
}
