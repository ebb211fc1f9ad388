/**
 * The recipe format: a JSON file that pins down one training run (or a family of runs) the way a
 * paper's experimental section does: model, data and augmentation, optimizer, learning-rate schedule,
 * stopping rule and evaluation protocol. Names mirror torchvision / torch.optim (camelCase).
 */
import type { OptimizerSpec, PaperEvalOptions, SchedulerSpec as TrainSchedulerSpec } from '@residual/train';
import type { ImageTransformSpec } from '@residual/transforms';
import type { ModelSpec } from '@residual/zoo';
import { DATASET_NAMES, type DatasetName as RegistryDatasetName } from '@residual/datasets';

/**
 * Datasets a recipe can train on: `@residual/datasets`' registry. `fake` is random data of the right shape,
 * for dry runs.
 *
 * @example
 * ```ts
 * import { DATASETS } from '@residual/cli';
 * DATASETS.includes('cifar10'); // true
 * ```
 */
export const DATASETS = DATASET_NAMES;
/** A dataset name a recipe's `data.dataset` may hold: one of {@link DATASETS}. */
export type DatasetName = RegistryDatasetName;

/**
 * One step of a torchvision-style transform pipeline: an image transform of `@residual/transforms`
 * (built by its `createTransform`), then `ToTensor` and an optional `Normalize`, which the DataLoader does.
 */
export type TransformSpec = ImageTransformSpec | { name: 'ToTensor' } | { name: 'Normalize'; mean: number[]; std: number[] };

export const TRANSFORM_FIELDS: Record<TransformSpec['name'], { required: string[]; optional: string[] }> = {
  RandomCrop: { required: ['size'], optional: ['padding', 'paddingMode'] },
  RandomHorizontalFlip: { required: [], optional: ['p'] },
  RandomResizedCrop: { required: ['size'], optional: ['scale', 'ratio'] },
  RandomShortestSize: { required: [], optional: ['minSize', 'minSizeRange', 'maxSize', 'rounding'] },
  Resize: { required: ['size'], optional: [] },
  CenterCrop: { required: ['size'], optional: [] },
  AutoAugment: { required: ['policy'], optional: [] },
  ToTensor: { required: [], optional: [] },
  Normalize: { required: ['mean', 'std'], optional: [] },
};

/**
 * Learning-rate schedule: `@residual/train`'s {@link TrainSchedulerSpec} (torch.optim.lr_scheduler names and
 * options), which its `createScheduler` builds. `interval` says what milestones count.
 */
export type SchedulerSpec = TrainSchedulerSpec;

/** The optimizer: `@residual/train`'s SGD spec (torch.optim.SGD's hyper-parameters), built by `createOptimizer`. */
export type SGDSpec = Extract<OptimizerSpec, { name: 'sgd' }>;

/**
 * A training recipe.
 *
 * @example
 * ```ts
 * import { loadRecipe, type Recipe } from '@residual/cli';
 * const recipe: Recipe = loadRecipe('cifar10-resnet20-paper').recipe;
 * ```
 */
export interface Recipe {
  /** The JSON Schema editors check the file against (`recipe.schema.json` of `@residual/cli`); ignored. */
  $schema?: string;
  /** A note for readers; ignored. */
  $comment?: string;
  /** Identifier (file name without `.json`). */
  name: string;
  /** What the recipe reproduces. */
  description: string;
  /** Paper and table the settings come from. */
  reference?: string;
  seed?: number;
  /** The model, as `@residual/zoo`'s `createModel` takes it (numClasses/inChannels default to the dataset's). */
  model: ModelSpec;
  data: {
    dataset: DatasetName;
    /** Directory of the dataset files; default: the dataset's standard location. */
    root?: string;
    /**
     * Where validation metrics come from: `{ holdout: n }` keeps the last n training images aside
     * (after a seeded shuffle; He et al. hold out 5k of CIFAR-10's 50k), `'test'` uses the test set,
     * `'none'` skips validation.
     */
    validation?: { holdout: number; seed?: number } | 'test' | 'none';
    train: TransformSpec[];
    test: TransformSpec[];
    /** Worker threads decoding/augmenting (0 = in the main thread). */
    workers?: number;
  };
  batchSize: number;
  optimizer: SGDSpec;
  scheduler?: SchedulerSpec;
  /** Linear warmup before the schedule (in the scheduler's interval). */
  warmup?: { steps: number; startFactor?: number; mode?: 'sequential' | 'chained' };
  /** When to stop: after `epochs` epochs or `iterations` optimizer steps (the first reached). */
  stop: { epochs?: number; iterations?: number };
  /** Stop when `monitor` has not improved for `patience` epochs. */
  earlyStopping?: { monitor?: string; mode?: 'min' | 'max'; patience: number };
  /** Also log training metrics and validate every this many iterations (curves of short runs). */
  logEvery?: number;
  /** Test-time protocol. */
  /**
   * The final test on whole images (He et al. §3.4, `@residual/train`'s `evaluateImages`): the shorter
   * side resized to each of `scales` and the whole image scored (fully convolutional), or `tenCrop`
   * crops of each resized image; probabilities (or logits) averaged. Absent: the test loader as is.
   */
  evaluation?: Omit<PaperEvalOptions, 'mean' | 'std' | 'interpolation'>;
  /**
   * A recipe that stands for several runs: each variant deep-sets dotted paths
   * (`"model.name": "plain20"`) on the base recipe and names the run `<name>/<id>`.
   */
  variants?: Array<{ id: string; set: Record<string, unknown> }>;
}

/** A variant expanded into a self-contained recipe. */
export interface RunSpec extends Omit<Recipe, 'variants'> {
  /** `<recipe>` or `<recipe>/<variant id>`. */
  runName: string;
  /** Command-line settings that change what runs, recorded so recipe.json and checkpoints say what ran. */
  limits?: { train?: number; test?: number };
}
