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
import { ChainedScheduler, SequentialLR, type SequentialLROptions } from './compose';
import { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau';
import type { LRScheduler, LrGroups, StepInterval } from './scheduler';

export * from './basic';
export * from './compose';
export * from './plateau';
export * from './scheduler';
export * from './warmup';

/**
 * Multiply lr by `gamma` at each milestone (`torch.optim.lr_scheduler.MultiStepLR`).
 *
 * @example
 * ```ts
 * import { sgd, multiStepLR } from '@residual/train';
 * const opt = sgd({ params: model, lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
 * // The paper's CIFAR schedule: divide by 10 at 32k and 48k iterations, stop at 64k.
 * const sched = multiStepLR(opt, { milestones: [32000, 48000], gamma: 0.1, interval: 'iteration' });
 * ```
 */
export function multiStepLR(optimizer: LrGroups, options: MultiStepLROptions): MultiStepLR {
  return new MultiStepLR(optimizer, options);
}

/**
 * Multiply lr by `gamma` every `stepSize` steps (`StepLR`); the paper's ImageNet rule is close to
 * `stepLR(opt, { stepSize: 30 })`.
 *
 * @example
 * ```ts
 * import { sgd, stepLR } from '@residual/train';
 * const sched = stepLR(sgd({ params: model, lr: 0.1 }), { stepSize: 30, gamma: 0.1 });
 * ```
 */
export function stepLR(optimizer: LrGroups, options: StepLROptions): StepLR {
  return new StepLR(optimizer, options);
}

/**
 * Multiply lr by `gamma` every step (`ExponentialLR`).
 *
 * @example
 * ```ts
 * import { sgd, exponentialLR } from '@residual/train';
 * const sched = exponentialLR(sgd({ params: model, lr: 0.1 }), { gamma: 0.95 });
 * ```
 */
export function exponentialLR(optimizer: LrGroups, options: ExponentialLROptions): ExponentialLR {
  return new ExponentialLR(optimizer, options);
}

/**
 * Cosine annealing from the initial lr to `etaMin` over `tMax` steps (`CosineAnnealingLR`).
 *
 * @example
 * ```ts
 * import { sgd, cosineAnnealingLR } from '@residual/train';
 * const sched = cosineAnnealingLR(sgd({ params: model, lr: 0.1 }), { tMax: 200 });
 * ```
 */
export function cosineAnnealingLR(optimizer: LrGroups, options: CosineAnnealingLROptions): CosineAnnealingLR {
  return new CosineAnnealingLR(optimizer, options);
}

/**
 * Linear ramp of the lr factor (`LinearLR`), the building block of warmup.
 *
 * @example
 * ```ts
 * import { sgd, linearLR } from '@residual/train';
 * const sched = linearLR(sgd({ params: model, lr: 0.1 }), { startFactor: 0.1, totalIters: 5 });
 * ```
 */
export function linearLR(optimizer: LrGroups, options: LinearLROptions = {}): LinearLR {
  return new LinearLR(optimizer, options);
}

/**
 * Constant lr factor for the first `totalIters` steps (`ConstantLR`).
 *
 * @example
 * ```ts
 * import { sgd, constantLR } from '@residual/train';
 * // ResNet-110's warmup: lr 0.01 for 400 iterations, then 0.1.
 * const sched = constantLR(sgd({ params: model, lr: 0.1 }), { factor: 0.1, totalIters: 400, interval: 'iteration' });
 * ```
 */
export function constantLR(optimizer: LrGroups, options: ConstantLROptions = {}): ConstantLR {
  return new ConstantLR(optimizer, options);
}

/**
 * Reduce lr when a metric stops improving (`ReduceLROnPlateau`); `fit` feeds it `monitor` each epoch.
 *
 * @example
 * ```ts
 * import { sgd, reduceLROnPlateau } from '@residual/train';
 * const sched = reduceLROnPlateau(sgd({ params: model, lr: 0.1 }), { mode: 'min', factor: 0.1, patience: 5, monitor: 'val_loss' });
 * ```
 */
export function reduceLROnPlateau(optimizer: LrGroups, options: ReduceLROnPlateauOptions = {}): ReduceLROnPlateau {
  return new ReduceLROnPlateau(optimizer, options);
}

/**
 * Use schedulers one after the other (`SequentialLR`).
 *
 * @example
 * ```ts
 * import { sgd, linearLR, cosineAnnealingLR, sequentialLR } from '@residual/train';
 * const opt = sgd({ params: model, lr: 0.1 });
 * const sched = sequentialLR(opt, {
 *   schedulers: [linearLR(opt, { startFactor: 0.1, totalIters: 5 }), cosineAnnealingLR(opt, { tMax: 95 })],
 *   milestones: [5],
 * });
 * ```
 */
export function sequentialLR(optimizer: LrGroups, options: SequentialLROptions): SequentialLR {
  return new SequentialLR(optimizer, options);
}

/**
 * Step several schedulers together so their factors multiply (`ChainedScheduler`).
 *
 * @example
 * ```ts
 * import { sgd, constantLR, multiStepLR, chainedScheduler } from '@residual/train';
 * const opt = sgd({ params: model, lr: 0.1 });
 * const sched = chainedScheduler([
 *   constantLR(opt, { factor: 0.1, totalIters: 400, interval: 'iteration' }),
 *   multiStepLR(opt, { milestones: [32000, 48000], interval: 'iteration' }),
 * ]);
 * ```
 */
export function chainedScheduler(schedulers: LRScheduler[], interval?: StepInterval): ChainedScheduler {
  return new ChainedScheduler(schedulers, interval);
}

export { createScheduler, SCHEDULER_NAMES, type SchedulerSpec } from './create';
