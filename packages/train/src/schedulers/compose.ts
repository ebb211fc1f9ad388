import { LRScheduler, type LrGroups, type Scheduler, type SchedulerState, type StepInterval } from './scheduler';

/** Options of {@link sequentialLR}. */
export interface SequentialLROptions {
  /** Schedulers built on the same optimizer, used one after the other. */
  schedulers: LRScheduler[];
  /** Steps at which to switch to the next scheduler (`schedulers.length − 1` of them). */
  milestones: number[];
  /** Defaults to the first scheduler's interval. */
  interval?: StepInterval;
}

/**
 * `torch.optim.lr_scheduler.SequentialLR`: runs `schedulers[i]` between `milestones[i-1]` and
 * `milestones[i]`; at a milestone the next scheduler restarts from its own step 0. The factory
 * {@link sequentialLR} builds the same object.
 * @example
 * ```ts
 * import { sgd, LinearLR, CosineAnnealingLR, SequentialLR } from '@residual/train';
 * const opt = sgd({ params: model, lr: 0.1 });
 * const sched = new SequentialLR(opt, {
 *   schedulers: [new LinearLR(opt, { startFactor: 0.1, totalIters: 5 }), new CosineAnnealingLR(opt, { tMax: 95 })],
 *   milestones: [5],
 * });
 * ```
 */
export class SequentialLR implements Scheduler {
  readonly interval: StepInterval;
  lastEpoch: number;
  private lastLr: number[];
  constructor(
    readonly optimizer: LrGroups,
    private readonly options: SequentialLROptions,
  ) {
    const { schedulers, milestones } = options;
    if (milestones.length !== schedulers.length - 1)
      throw new Error(`@residual/train sequentialLR: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${milestones.length}`);
    for (const s of schedulers)
      if (s.optimizer !== optimizer) throw new Error('@residual/train sequentialLR: every scheduler must drive the same optimizer');
    this.interval = options.interval ?? schedulers[0].interval;
    this.lastEpoch = 0;
    // Undo the initial steps the schedulers took when built, then restart the first one.
    for (const g of optimizer.paramGroups) g.lr = g.initialLr;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0].initialStep();
    this.lastLr = schedulers[0].getLastLr();
  }

  step(): void {
    const { schedulers, milestones } = this.options;
    this.lastEpoch++;
    let idx = 0;
    while (idx < milestones.length && milestones[idx] <= this.lastEpoch) idx++;
    const s = schedulers[idx];
    if (idx > 0 && milestones[idx - 1] === this.lastEpoch) s.stepTo(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  state(): SchedulerState {
    return { lastEpoch: this.lastEpoch, lastLr: [...this.lastLr], schedulers: this.options.schedulers.map((s) => s.state()) };
  }

  loadState(state: SchedulerState): void {
    this.lastEpoch = state.lastEpoch as number;
    this.lastLr = [...(state.lastLr as number[])];
    (state.schedulers as SchedulerState[]).forEach((s, i) => this.options.schedulers[i].loadState(s));
  }
}

/**
 * `torch.optim.lr_scheduler.ChainedScheduler`: steps every scheduler at once, so their chainable rules
 * multiply (e.g. a warmup factor on top of a milestone decay). The factory {@link chainedScheduler}
 * builds the same object.
 * @example
 * ```ts
 * import { sgd, ConstantLR, MultiStepLR, ChainedScheduler } from '@residual/train';
 * const opt = sgd({ params: model, lr: 0.1 });
 * const sched = new ChainedScheduler([
 *   new ConstantLR(opt, { factor: 0.1, totalIters: 400, interval: 'iteration' }),
 *   new MultiStepLR(opt, { milestones: [32000, 48000], interval: 'iteration' }),
 * ]);
 * ```
 */
export class ChainedScheduler implements Scheduler {
  readonly interval: StepInterval;
  private lastLr: number[];
  constructor(
    readonly schedulers: LRScheduler[],
    interval?: StepInterval,
  ) {
    if (schedulers.length === 0) throw new Error('@residual/train chainedScheduler: no schedulers given');
    for (const s of schedulers)
      if (s.optimizer !== schedulers[0].optimizer) throw new Error('@residual/train chainedScheduler: every scheduler must drive the same optimizer');
    this.interval = interval ?? schedulers[0].interval;
    this.lastLr = schedulers[0].optimizer.paramGroups.map((g) => g.lr);
  }

  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.schedulers[0].optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  state(): SchedulerState {
    return { lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.state()) };
  }

  loadState(state: SchedulerState): void {
    this.lastLr = [...(state.lastLr as number[])];
    (state.schedulers as SchedulerState[]).forEach((s, i) => this.schedulers[i].loadState(s));
  }
}
