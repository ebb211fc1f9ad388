import type { LrGroups, Scheduler, SchedulerState, StepInterval } from './scheduler';

/** Options of {@link reduceLROnPlateau} (PyTorch names, camelCase). */
export interface ReduceLROnPlateauOptions {
  /** `'min'` (default) for a loss, `'max'` for an accuracy. */
  mode?: 'min' | 'max';
  /** Factor applied to lr on a plateau (default 0.1, must be < 1). */
  factor?: number;
  /** Epochs without improvement tolerated (default 10). */
  patience?: number;
  /** Improvement threshold (default 1e-4). */
  threshold?: number;
  /** `'rel'` (default) or `'abs'`. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction (default 0). */
  cooldown?: number;
  /** Lower bound of lr, one number or one per group (default 0). */
  minLr?: number | number[];
  /** Smallest change of lr that is applied (default 1e-8). */
  eps?: number;
  /** Metric `fit` passes to `step` (default `'val_loss'`; e.g. `'val_acc1'`). */
  monitor?: string;
}

/**
 * `torch.optim.lr_scheduler.ReduceLROnPlateau`: cut lr by `factor` when the monitored metric stops
 * improving; call `step(metric)` once per epoch (`fit` does it with `monitor`).
 * The factory {@link reduceLROnPlateau} builds the same object.
 * @example
 * ```ts
 * import { sgd, ReduceLROnPlateau } from '@residual/train';
 * const sched = new ReduceLROnPlateau(sgd({ params: model, lr: 0.1 }), { mode: 'min', patience: 5 });
 * sched.step(valLoss); // after each epoch's validation
 * ```
 */
export class ReduceLROnPlateau implements Scheduler {
  readonly interval: StepInterval = 'epoch';
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    readonly optimizer: LrGroups,
    options: ReduceLROnPlateauOptions = {},
  ) {
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    if (!(this.factor < 1)) throw new RangeError(`@residual/train reduceLROnPlateau: factor must be < 1, got ${this.factor}`);
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`@residual/train reduceLROnPlateau: unknown mode '${String(this.mode)}'`);
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    this.eps = options.eps ?? 1e-8;
    this.monitor = options.monitor ?? 'val_loss';
    const n = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (Array.isArray(minLr) && minLr.length !== n) throw new Error(`@residual/train reduceLROnPlateau: expected ${n} minLr values, got ${minLr.length}`);
    this.minLrs = Array.isArray(minLr) ? [...minLr] : new Array<number>(n).fill(minLr);
    this.best = this.worst;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private get worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (t + 1) : a > best + t;
  }

  step(metric?: number): void {
    if (metric === undefined || typeof metric !== 'number')
      throw new Error(`@residual/train reduceLROnPlateau: step() needs the monitored metric ('${this.monitor}')`);
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  state(): SchedulerState {
    // JSON has no Infinity: the initial "worst" best is stored as null.
    return {
      best: Number.isFinite(this.best) ? this.best : null,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
    };
  }

  loadState(state: SchedulerState): void {
    this.best = state.best === null ? this.worst : (state.best as number);
    this.numBadEpochs = state.numBadEpochs as number;
    this.cooldownCounter = state.cooldownCounter as number;
    this.lastEpoch = state.lastEpoch as number;
    this.lastLr = [...(state.lastLr as number[])];
  }
}
