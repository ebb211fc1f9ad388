/** What schedulers need from an optimizer: its groups' learning rates. */
export interface LrGroups {
  paramGroups: Array<{ lr: number; initialLr: number }>;
}

/** When `fit` steps a scheduler: after every epoch (default) or after every optimizer step. */
export type StepInterval = 'epoch' | 'iteration';

/** Options every scheduler accepts. */
export interface SchedulerOptions {
  /** Step once per epoch (milestones count epochs) or once per iteration (milestones count iterations). */
  interval?: StepInterval;
}

/** JSON-serialisable scheduler state. */
export type SchedulerState = Record<string, unknown>;

/** The interface `fit` drives: all schedulers, ReduceLROnPlateau included, implement it. */
export interface Scheduler {
  readonly interval: StepInterval;
  /** Advance one epoch/iteration. ReduceLROnPlateau requires the monitored metric. */
  step(metric?: number): void;
  /** The learning rates set by the last step, one per parameter group. */
  getLastLr(): number[];
  /** The metric name a plateau scheduler watches (`fit` passes it to `step`), if any. */
  readonly monitor?: string;
  state(): SchedulerState;
  loadState(state: SchedulerState): void;
}

/**
 * Base of the epoch-indexed schedulers, with PyTorch's `_LRScheduler` semantics: construction records
 * `initialLr` and performs the initial step (`lastEpoch` 0), each `step()` increments `lastEpoch` and
 * rewrites every group's lr with the chainable rule of {@link LRScheduler.getLr} (so schedulers compose
 * multiplicatively, as in `ChainedScheduler`).
 *
 * @example
 * ```ts
 * import { sgd, multiStepLR } from '@residual/train';
 * const s = multiStepLR(sgd({ params: model, lr: 0.1 }), { milestones: [2] });
 * s.step(); s.step(); s.getLastLr(); // [0.01]
 * ```
 */
export abstract class LRScheduler implements Scheduler {
  readonly interval: StepInterval;
  /** The index of the last step (PyTorch `last_epoch`); 0 right after construction. */
  lastEpoch = -1;
  /** Group learning rates at construction (PyTorch `base_lrs`). */
  baseLrs: number[];
  /** Number of `step()` calls including the initial one (PyTorch `_step_count`). */
  stepCount = 0;
  protected lastLr: number[] = [];

  protected constructor(
    readonly optimizer: LrGroups,
    options: SchedulerOptions = {},
  ) {
    this.interval = options.interval ?? 'epoch';
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr);
  }

  /** Perform the initial step; subclasses call it at the end of their constructor. */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The chainable rule: the new lr of every group from the current ones. */
  protected abstract getLr(): number[];

  /** Closed-form lr at `lastEpoch` (used when jumping to an epoch, e.g. by `sequentialLR`). */
  protected closedFormLr(): number[] {
    return this.getLr();
  }

  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    this.apply(this.getLr());
  }

  /** Jump to `epoch` and set the closed-form learning rates there (PyTorch's `step(epoch)`). */
  stepTo(epoch: number): void {
    this.stepCount++;
    this.lastEpoch = epoch;
    this.apply(this.closedFormLr());
  }

  protected apply(lrs: number[]): void {
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected get lrsNow(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  state(): SchedulerState {
    return { lastEpoch: this.lastEpoch, stepCount: this.stepCount, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  loadState(state: SchedulerState): void {
    this.lastEpoch = state.lastEpoch as number;
    this.stepCount = state.stepCount as number;
    this.baseLrs = [...(state.baseLrs as number[])];
    this.lastLr = [...(state.lastLr as number[])];
  }
}
