import { LRScheduler, type LrGroups, type SchedulerOptions } from './scheduler';

function bisectRight(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < sorted[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Options of {@link stepLR}. */
export interface StepLROptions extends SchedulerOptions {
  /** Decay every `stepSize` epochs (or iterations). */
  stepSize: number;
  /** Decay factor (default 0.1). */
  gamma?: number;
}

/**
 * `torch.optim.lr_scheduler.StepLR`: multiply lr by `gamma` every `stepSize` steps.
 * The factory {@link stepLR} builds the same object.
 * @example
 * ```ts
 * import { sgd, StepLR } from '@residual/train';
 * const sched = new StepLR(sgd({ params: model, lr: 0.1 }), { stepSize: 30, gamma: 0.1 });
 * sched.step(); // once per epoch
 * ```
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: LrGroups, options: StepLROptions) {
    super(optimizer, options);
    if (!(options.stepSize >= 1)) throw new RangeError(`@residual/train stepLR: stepSize must be ≥ 1, got ${options.stepSize}`);
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.lrsNow;
    return this.lrsNow.map((lr) => lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Options of {@link multiStepLR}. */
export interface MultiStepLROptions extends SchedulerOptions {
  /** Epochs (or iterations, with `interval: 'iteration'`) at which lr is multiplied by `gamma`. */
  milestones: number[];
  /** Decay factor (default 0.1). */
  gamma?: number;
}

/**
 * `torch.optim.lr_scheduler.MultiStepLR`: multiply lr by `gamma` at each milestone.
 * The factory {@link multiStepLR} builds the same object.
 * @example
 * ```ts
 * import { sgd, MultiStepLR } from '@residual/train';
 * const opt = sgd({ params: model, lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
 * const sched = new MultiStepLR(opt, { milestones: [32000, 48000], gamma: 0.1, interval: 'iteration' });
 * ```
 */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;
  constructor(optimizer: LrGroups, options: MultiStepLROptions) {
    super(optimizer, options);
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }
  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.lrsNow;
    return this.lrsNow.map((lr) => lr * this.gamma ** hits);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }
}

/** Options of {@link exponentialLR}. */
export interface ExponentialLROptions extends SchedulerOptions {
  /** Factor applied every step. */
  gamma: number;
}

/**
 * `torch.optim.lr_scheduler.ExponentialLR`: multiply lr by `gamma` every step.
 * The factory {@link exponentialLR} builds the same object.
 * @example
 * ```ts
 * import { sgd, ExponentialLR } from '@residual/train';
 * const sched = new ExponentialLR(sgd({ params: model, lr: 0.1 }), { gamma: 0.95 });
 * ```
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: LrGroups, options: ExponentialLROptions) {
    super(optimizer, options);
    this.gamma = options.gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.lrsNow;
    return this.lrsNow.map((lr) => lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

/** Options of {@link cosineAnnealingLR}. */
export interface CosineAnnealingLROptions extends SchedulerOptions {
  /** Half-period of the cosine, in steps. */
  tMax: number;
  /** Lowest learning rate (default 0). */
  etaMin?: number;
}

/**
 * `torch.optim.lr_scheduler.CosineAnnealingLR`: cosine from the initial lr to `etaMin` over `tMax` steps
 * (its recursive form, so it chains like PyTorch's).
 * The factory {@link cosineAnnealingLR} builds the same object.
 * @example
 * ```ts
 * import { sgd, CosineAnnealingLR } from '@residual/train';
 * const sched = new CosineAnnealingLR(sgd({ params: model, lr: 0.1 }), { tMax: 200 });
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: LrGroups, options: CosineAnnealingLROptions) {
    super(optimizer, options);
    if (!(options.tMax > 0)) throw new RangeError(`@residual/train cosineAnnealingLR: tMax must be > 0, got ${options.tMax}`);
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { tMax, etaMin, lastEpoch: e } = this;
    if (e === 0) return this.lrsNow;
    if (this.stepCount === 1 && e > 0)
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / tMax))) / 2);
    if ((((e - 1 - tMax) % (2 * tMax)) + 2 * tMax) % (2 * tMax) === 0)
      return this.lrsNow.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    return this.lrsNow.map(
      (lr) => ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (lr - etaMin) + etaMin,
    );
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/** Options of {@link linearLR}. */
export interface LinearLROptions extends SchedulerOptions {
  /** Factor at step 0 (default 1/3). */
  startFactor?: number;
  /** Factor reached at `totalIters` (default 1). */
  endFactor?: number;
  /** Steps to go from `startFactor` to `endFactor` (default 5). */
  totalIters?: number;
}

/**
 * `torch.optim.lr_scheduler.LinearLR`, the usual linear warmup: the lr factor goes from `startFactor`
 * to `endFactor` over `totalIters` steps.
 * The factory {@link linearLR} builds the same object.
 * @example
 * ```ts
 * import { sgd, LinearLR } from '@residual/train';
 * const sched = new LinearLR(sgd({ params: model, lr: 0.1 }), { startFactor: 0.1, totalIters: 5 });
 * ```
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(optimizer: LrGroups, options: LinearLROptions = {}) {
    super(optimizer, options);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    if (!(this.startFactor > 0 && this.startFactor <= 1)) throw new RangeError(`@residual/train linearLR: startFactor must be in (0, 1], got ${this.startFactor}`);
    this.initialStep();
  }
  protected getLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n, lastEpoch: e } = this;
    if (e === 0) return this.lrsNow.map((lr) => lr * s);
    if (e > n) return this.lrsNow;
    return this.lrsNow.map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n, lastEpoch: e } = this;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(n, e)) / n));
  }
}

/** Options of {@link constantLR}. */
export interface ConstantLROptions extends SchedulerOptions {
  /** Factor applied until `totalIters` (default 1/3). */
  factor?: number;
  /** Steps the factor lasts (default 5). */
  totalIters?: number;
}

/**
 * `torch.optim.lr_scheduler.ConstantLR`: the paper's warmup for ResNet-110 (lr 0.01 for the first ~400
 * iterations, then 0.1) is `constantLR(opt, { factor: 0.1, totalIters: 400, interval: 'iteration' })`
 * chained with the milestone schedule. The factory {@link constantLR} builds the same object.
 * @example
 * ```ts
 * import { sgd, ConstantLR } from '@residual/train';
 * const sched = new ConstantLR(sgd({ params: model, lr: 0.1 }), { factor: 0.1, totalIters: 400, interval: 'iteration' });
 * ```
 */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;
  constructor(optimizer: LrGroups, options: ConstantLROptions = {}) {
    super(optimizer, options);
    this.factor = options.factor ?? 1 / 3;
    this.totalIters = options.totalIters ?? 5;
    if (!(this.factor >= 0 && this.factor <= 1)) throw new RangeError(`@residual/train constantLR: factor must be in [0, 1], got ${this.factor}`);
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch;
    if (e === 0) return this.lrsNow.map((lr) => lr * this.factor);
    if (e !== this.totalIters) return this.lrsNow;
    return this.lrsNow.map((lr) => lr * (1 / this.factor));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 - this.factor : 0)));
  }
}
