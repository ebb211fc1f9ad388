import {
  ConstantLR,
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  MultiStepLR,
  StepLR,
  type ConstantLROptions,
  type CosineAnnealingLROptions,
  type ExponentialLROptions,
  type LinearLROptions,
  type MultiStepLROptions,
  type StepLROptions,
} from './basic';
import { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau';
import type { LRScheduler, LrGroups, Scheduler } from './scheduler';
import { withWarmup, type WarmupOptions } from './warmup';

/**
 * A learning-rate schedule as data — what a recipe's `scheduler` holds: the
 * `torch.optim.lr_scheduler` class name and that scheduler's options.
 */
export type SchedulerSpec =
  | ({ name: 'MultiStepLR' } & MultiStepLROptions)
  | ({ name: 'StepLR' } & StepLROptions)
  | ({ name: 'ExponentialLR' } & ExponentialLROptions)
  | ({ name: 'CosineAnnealingLR' } & CosineAnnealingLROptions)
  | ({ name: 'LinearLR' } & LinearLROptions)
  | ({ name: 'ConstantLR' } & ConstantLROptions)
  | ({ name: 'ReduceLROnPlateau' } & ReduceLROnPlateauOptions);

/** The names {@link createScheduler} knows. */
export const SCHEDULER_NAMES = ['MultiStepLR', 'StepLR', 'ExponentialLR', 'CosineAnnealingLR', 'LinearLR', 'ConstantLR', 'ReduceLROnPlateau'] as const;

function build(optimizer: LrGroups, spec: SchedulerSpec): Scheduler {
  const { name, ...options } = spec;
  switch (name) {
    case 'MultiStepLR':
      return new MultiStepLR(optimizer, options as MultiStepLROptions);
    case 'StepLR':
      return new StepLR(optimizer, options as StepLROptions);
    case 'ExponentialLR':
      return new ExponentialLR(optimizer, options as ExponentialLROptions);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(optimizer, options as CosineAnnealingLROptions);
    case 'LinearLR':
      return new LinearLR(optimizer, options as LinearLROptions);
    case 'ConstantLR':
      return new ConstantLR(optimizer, options as ConstantLROptions);
    case 'ReduceLROnPlateau':
      return new ReduceLROnPlateau(optimizer, options as ReduceLROnPlateauOptions);
    default:
      throw new Error(`@residual/train createScheduler: unknown scheduler '${String(name)}' (known: ${SCHEDULER_NAMES.join(', ')})`);
  }
}

/**
 * Build a scheduler from its spec (timm's `create_scheduler`), optionally after a linear warmup
 * ({@link withWarmup}; not with ReduceLROnPlateau, which has no step count to warm up along).
 *
 * @example
 * ```ts
 * import { createOptimizer, createScheduler } from '@residual/train';
 * const opt = createOptimizer(model, { name: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
 * const sched = createScheduler(opt, { name: 'MultiStepLR', milestones: [32000, 48000], interval: 'iteration' });
 * ```
 */
export function createScheduler(optimizer: LrGroups, spec: SchedulerSpec, warmup?: WarmupOptions): Scheduler {
  if (!warmup) return build(optimizer, spec);
  if (spec.name === 'ReduceLROnPlateau') {
    throw new Error('@residual/train createScheduler: a warmup cannot precede ReduceLROnPlateau (it steps on a metric, not a count)');
  }
  return withWarmup(optimizer, (opt) => build(opt, spec) as LRScheduler, warmup);
}
