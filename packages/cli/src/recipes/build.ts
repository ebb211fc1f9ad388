import type { Module } from '@residual/nn';
import type { Dataset, DataLoader } from '@residual/datasets';
import type { Optimizer, Scheduler } from '@residual/train';
import type { RunSpec } from './schema';
import { datasetInfo } from '@residual/datasets';
import { buildTransforms, holdoutSize, loadSplits } from './data';
import { CliError } from '../util/errors';
import { buildModel } from '../zoo';

/** Command-line overrides of a recipe. */
export interface BuildRunOptions {
  /** Dataset directory (overrides the recipe's `data.root`). */
  dataDir?: string;
  /** Use only this many training images (a seeded random subset; the holdout shrinks in proportion). */
  limitTrain?: number;
  /** Use only this many test images. */
  limitTest?: number;
  batchSize?: number;
  /** Worker threads for the loader (default: the recipe's `data.workers`, else 0). Needs the built CLI. */
  workers?: number;
  /** Fall back to fake data of the right shape when the dataset is absent (dry runs). */
  fakeIfMissing?: boolean;
}

/** Everything a run needs, built from its recipe. */
export interface BuiltRun {
  run: RunSpec;
  model: Module;
  optimizer: Optimizer<{ lr: number }>;
  scheduler: Scheduler | null;
  train: DataLoader;
  val: DataLoader | undefined;
  test: DataLoader;
  /** The test split's whole uint8 images (for the paper's protocols), and the normalisation its loader applies. */
  testImages: Dataset;
  testNormalize: { mean: number[]; std: number[] };
  data: { name: string; fake: boolean; train: number; val: number; test: number; note?: string };
  /** Human-readable summary of what was built. */
  summary: string[];
}

function subset(ds: Dataset, n: number | undefined, seed: number, Subset: typeof import('@residual/datasets').Subset, Rng: typeof import('@residual/tensor').Rng): Dataset {
  if (n === undefined || n >= ds.length) return ds;
  const perm = Rng.derive(seed, 11).permutation(ds.length);
  return new Subset(ds, Array.from(perm.slice(0, n)).sort((a, b) => a - b));
}

/**
 * Builds model, data pipeline, optimizer and learning-rate schedule of one run.
 *
 * @example
 * ```ts
 * import { loadRecipe, expandRecipe, buildRun } from '@residual/cli';
 * const [run] = expandRecipe(loadRecipe('fashion-mnist-resnet20').recipe);
 * const built = await buildRun(run, { limitTrain: 1000, limitTest: 500 });
 * ```
 */
export async function buildRun(run: RunSpec, options: BuildRunOptions = {}): Promise<BuiltRun> {
  const [datasets, trainPkg, tensor] = await Promise.all([import('@residual/datasets'), import('@residual/train'), import('@residual/tensor')]);
  const seed = run.seed ?? 0;
  const name = run.data.dataset;
  const info = datasetInfo(name);
  const summary: string[] = [];

  // Data.
  let fake = name === 'fake';
  let note: string | undefined;
  let splits: { train: Dataset; test: Dataset };
  try {
    splits = await loadSplits(name, options.dataDir ?? run.data.root);
  } catch (e) {
    if (!options.fakeIfMissing) throw e;
    fake = true;
    note = `${(e as Error).message}; using random stand-in data of the same shape`;
    splits = { train: datasets.fakeDataset(info, 512, 1), test: datasets.fakeDataset(info, 128, 2) };
  }
  const fullTrain = splits.train.length;
  let trainSet = subset(splits.train, options.limitTrain, seed, datasets.Subset, tensor.Rng);
  let valSet: Dataset | undefined;
  const hold = holdoutSize(run, trainSet.length, fake ? trainSet.length * 10 : fullTrain);
  if (hold > 0) {
    const v = run.data.validation as { holdout: number; seed?: number };
    const split = datasets.trainValSplit(trainSet, { valSize: hold, seed: v.seed ?? 0 });
    trainSet = split.train;
    valSet = split.val;
  }
  if (trainSet.length === 0) {
    throw new CliError(
      `${run.runName}: the training split is empty (${fullTrain} images${options.limitTrain !== undefined ? `, --limit-train ${options.limitTrain}` : ''}, ${hold} held out for validation); train on more images`,
    );
  }
  const testSet = subset(splits.test, options.limitTest, seed + 1, datasets.Subset, tensor.Rng);
  if (run.data.validation === 'test') valSet = testSet;

  const batchSize = options.batchSize ?? run.batchSize;
  const workers = options.workers ?? run.data.workers ?? 0;
  const trainT = await buildTransforms(run.data.train, `${run.runName}: data.train`, workers > 0);
  const testT = await buildTransforms(run.data.test, `${run.runName}: data.test`, workers > 0);
  const loader = (ds: Dataset, t: typeof trainT, shuffle: boolean) =>
    new datasets.DataLoader(ds, { batchSize, shuffle, seed, transform: t.transform, normalize: t.normalize, numWorkers: workers });
  const train = loader(trainSet, trainT, true);
  const test = loader(testSet, testT, false);
  const val = valSet === undefined ? undefined : valSet === testSet ? test : loader(valSet, testT, false);
  summary.push(
    `data: ${name}${fake ? ' (random stand-in)' : ''}: ${trainSet.length} train, ${valSet && valSet !== testSet ? valSet.length : 0} val${run.data.validation === 'test' ? ' (= test)' : ''}, ${testSet.length} test; batch ${batchSize}`,
    `  train transforms: ${trainT.describe.join(' → ') || 'none'}`,
    `  test transforms: ${testT.describe.join(' → ') || 'none'}`,
  );

  // Model: the dataset decides classes and channels unless the recipe says otherwise.
  const mopts = { ...run.model.options };
  mopts.numClasses ??= info.numClasses;
  mopts.inChannels ??= info.channels;
  tensor.seed(seed);
  const model = buildModel(run.model.name, mopts);
  summary.push(`model: ${run.model.name} ${JSON.stringify(mopts)}: ${model.numParameters().toLocaleString('en')} parameters`);

  // Optimizer and schedule: the recipe's specs, built by @residual/train's factories.
  const optimizer = trainPkg.createOptimizer(model, run.optimizer);
  const scheduler: Scheduler | null = run.scheduler ? trainPkg.createScheduler(optimizer, run.scheduler, run.warmup) : null;
  const o = run.optimizer;
  summary.push(
    `optimizer: SGD lr ${o.lr}, momentum ${o.momentum ?? 0}, weight decay ${o.weightDecay ?? 0}${o.nesterov ? ', nesterov' : ''}`,
    `schedule: ${run.scheduler ? JSON.stringify(run.scheduler) : 'constant lr'}${run.warmup ? ` after warmup ${JSON.stringify(run.warmup)}` : ''}`,
    `stop: ${JSON.stringify(run.stop)}${run.earlyStopping ? `, early stopping ${JSON.stringify(run.earlyStopping)}` : ''}`,
  );
  if (run.evaluation) summary.push(`evaluation: ${JSON.stringify(run.evaluation)}`);
  if (note) summary.push(`note: ${note}`);
  if (!Number.isFinite(batchSize) || batchSize < 1) throw new CliError(`bad batch size ${batchSize}`);

  return {
    run,
    model,
    optimizer,
    scheduler,
    train,
    val,
    test,
    testImages: testSet,
    // Without a Normalize step the loader only scales to [0, 1].
    testNormalize: testT.normalize
      ? { mean: [...testT.normalize.mean], std: [...testT.normalize.std] }
      : { mean: new Array(info.channels).fill(0), std: new Array(info.channels).fill(1) },
    data: { name, fake, train: trainSet.length, val: valSet && valSet !== testSet ? valSet.length : 0, test: testSet.length, note },
    summary,
  };
}
