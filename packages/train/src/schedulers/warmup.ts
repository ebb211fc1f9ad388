import { LinearLR } from './basic';
import { ChainedScheduler, SequentialLR } from './compose';
import type { LRScheduler, LrGroups } from './scheduler';

/** Options of {@link withWarmup}. */
export interface WarmupOptions {
  /** Warmup length in the main scheduler's steps. */
  steps: number;
  /** lr factor at step 0 (default 0.1); it grows linearly to 1 at `steps`. */
  startFactor?: number;
  /**
   * `'sequential'` (default): warmup, then the main scheduler restarted at its step 0
   * (`SequentialLR([LinearLR, main], [steps])`). `'chained'`: both run from step 0 and their factors
   * multiply (`ChainedScheduler([LinearLR, main])`), so milestones keep counting from the start.
   */
  mode?: 'sequential' | 'chained';
}

/**
 * Compose a linear warmup with any epoch-indexed scheduler; build the scheduler with `build(optimizer)`
 * so the warmup is created first, as PyTorch code does.
 *
 * @example
 * ```ts
 * import { sgd, multiStepLR, withWarmup } from '@residual/train';
 * const opt = sgd({ params: model, lr: 0.1, momentum: 0.9 });
 * const sched = withWarmup(opt, (o) => multiStepLR(o, { milestones: [100, 150] }), { steps: 5, mode: 'chained' });
 * ```
 */
export function withWarmup(
  optimizer: LrGroups,
  build: (optimizer: LrGroups) => LRScheduler,
  options: WarmupOptions,
): SequentialLR | ChainedScheduler {
  const warm = new LinearLR(optimizer, { startFactor: options.startFactor ?? 0.1, endFactor: 1, totalIters: options.steps });
  const main = build(optimizer);
  const interval = main.interval;
  if ((options.mode ?? 'sequential') === 'chained') return new ChainedScheduler([warm, main], interval);
  return new SequentialLR(optimizer, { schedulers: [warm, main], milestones: [options.steps], interval });
}
