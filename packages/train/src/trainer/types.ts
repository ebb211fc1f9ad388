import type { CrossEntropyOptions } from '../loss/cross-entropy';
import type { ModelLike } from '../model/types';
import type { Optimizer } from '../optim/optimizer';
import type { Scheduler } from '../schedulers/scheduler';
import type { BatchSource } from '../data/source';
import type { EpochRecord } from '../observe/history';
import type { ProgressOptions } from '../observe/progress';
import type { LossFn } from './step';

/** Early stopping, as Keras' `EarlyStopping` / Lightning's: stop after `patience` epochs without improvement. */
export interface EarlyStoppingOptions {
  /** History key to watch (default `'val_loss'`, or `'train_loss'` without validation data). */
  monitor?: string;
  /** Epochs without improvement before stopping. */
  patience: number;
  /** `'min'` or `'max'`; default `'min'` for a loss, `'max'` otherwise. */
  mode?: 'min' | 'max';
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put the best epoch's weights back into the model when training ends (default false). */
  restoreBest?: boolean;
}

/** Read-only view of a run plus a way to stop it, handed to callbacks. */
export interface FitContext {
  model: ModelLike;
  optimizer: Optimizer<{ lr: number }>;
  history: readonly EpochRecord[];
  epoch: number;
  iteration: number;
  /** Ask `fit` to stop after the current step. */
  stop(): void;
}

/** Per-step information for {@link Callbacks.onBatchEnd}. */
export interface BatchInfo {
  epoch: number;
  iteration: number;
  loss: number;
  batchSize: number;
  lr: number;
}

/** Hooks called by `fit` (all optional, may be async). */
export interface Callbacks {
  onTrainBegin?(ctx: FitContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: FitContext): void | Promise<void>;
  onBatchEnd?(info: BatchInfo, ctx: FitContext): void | Promise<void>;
  onEpochEnd?(record: EpochRecord, ctx: FitContext): void | Promise<void>;
  /** After a checkpoint is written, with its JSON path. */
  onCheckpoint?(path: string, ctx: FitContext): void | Promise<void>;
  onTrainEnd?(result: FitResult, ctx: FitContext): void | Promise<void>;
}

/** Options of `fit`. Give `epochs` or `iterations` (or both: whichever comes first). */
export interface FitOptions {
  model: ModelLike;
  /** Training batches; one iteration of it is one epoch. */
  train: BatchSource;
  /** Validation batches, evaluated in eval mode after each epoch. */
  val?: BatchSource;
  /** Optimizer; built without `params`, it receives the model's parameters. */
  optimizer: Optimizer<{ lr: number }>;
  /** Stepped per epoch or per iteration according to its `interval`. */
  scheduler?: Scheduler | null;
  epochs?: number;
  /** Total optimizer steps (the paper's 64k for CIFAR-10). */
  iterations?: number;
  /** Softmax cross-entropy options (`{ labelSmoothing }`) or a custom loss (default: plain cross-entropy). */
  loss?: CrossEntropyOptions | LossFn;
  earlyStopping?: EarlyStoppingOptions;
  /**
   * Metric that decides the `best` checkpoint (default: `earlyStopping.monitor`, else `'val_loss'`,
   * else `'train_loss'`), and its mode (default `'min'` for losses, `'max'` otherwise).
   */
  monitor?: string;
  mode?: 'min' | 'max';
  /** Directory for checkpoints and `history.jsonl`/`history.csv`; nothing is written without it. */
  checkpointDir?: string;
  /** Also checkpoint every this many iterations (default: only at the end of each epoch). */
  checkpointEvery?: number;
  /** Keep the newest `keepLast` checkpoints (default 3). The best one is kept apart as `best`. */
  keepLast?: number;
  /** `true`: continue from the newest checkpoint of `checkpointDir` if any; a string: from that checkpoint. */
  resume?: boolean | string;
  callbacks?: Callbacks | Callbacks[];
  /** Progress display: `false` for none, or options (default: bar on a TTY, plain lines otherwise). */
  progress?: boolean | ProgressOptions;
  /**
   * Run configuration stored in every checkpoint. On resume it is compared with the checkpoint's: a
   * difference (another batch size, seed, data subset…) throws {@link ResumeMismatchError} naming each
   * field, since the resumed run would silently be a different experiment.
   */
  config?: Record<string, unknown>;
  /**
   * Also record the running training metrics (and validate, when `val` is given) every this many
   * iterations inside an epoch: history rows marked `interim: 1`, for curves of short runs.
   */
  logEvery?: number;
  /** Dotted paths of `config` allowed to differ on resume (e.g. `['stop']` to train longer). */
  resumeMayChange?: string[];
}

/** What `fit` returns. */
export interface FitResult {
  history: EpochRecord[];
  epochs: number;
  iterations: number;
  best: { monitor: string; value: number; epoch: number } | null;
  stoppedEarly: boolean;
  /** The newest checkpoint written, if any. */
  lastCheckpoint: string | null;
}
