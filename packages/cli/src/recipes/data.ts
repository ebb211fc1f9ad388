import type { Dataset, DataLoaderOptions } from '@residual/datasets';
import { datasetInfo } from '@residual/datasets';
import type { ImageTransformSpec } from '@residual/transforms';
import type { DatasetName, RunSpec, TransformSpec } from './schema';
import { CliError } from '../util/errors';

/**
 * The train and test splits of a dataset, loaded through the datasets registry. Throws a CliError saying
 * how to get the files.
 */
export async function loadSplits(name: DatasetName, root: string | undefined): Promise<{ train: Dataset; test: Dataset }> {
  // ImageNet cannot be downloaded by us (it needs an account at image-net.org): never suggest it.
  const hint =
    name === 'imagenet'
      ? 'download ILSVRC-2012 from image-net.org (it needs an account), lay it out as train/<wnid>/*.JPEG and val/, and pass --data-dir'
      : `run 'residual datasets download ${name}' or pass --data-dir`;
  const info = datasetInfo(name);
  try {
    const opts = root ? { root } : {};
    return { train: await info.load({ ...opts, split: 'train' }), test: await info.load({ ...opts, split: 'test' }) };
  } catch (e) {
    throw new CliError(`dataset ${name} not available (${(e as Error).message.split('\n')[0]}); ${hint}`);
  }
}

/**
 * Splits a recipe's transform list at `ToTensor`: the steps before it run on uint8 images
 * (`@residual/transforms`), a trailing `Normalize` becomes the loader's per-channel normalisation.
 * With `workers`, the transform is handed to the loader as a spec its worker threads build themselves
 * with `@residual/transforms`' `createTransform`, imported by package name.
 */
export async function buildTransforms(
  specs: TransformSpec[],
  where: string,
  workers = false,
): Promise<{ transform?: DataLoaderOptions['transform']; normalize?: DataLoaderOptions['normalize']; describe: string[] }> {
  const T = await import('@residual/transforms');
  const describe = specs.map((s) => JSON.stringify(s));
  const cut = specs.findIndex((s) => s.name === 'ToTensor');
  const before = cut < 0 ? specs : specs.slice(0, cut);
  const after = cut < 0 ? [] : specs.slice(cut + 1);
  let normalize: DataLoaderOptions['normalize'];
  for (const s of after) {
    if (s.name !== 'Normalize') throw new CliError(`${where}: ${s.name} after ToTensor is not supported (put image transforms before ToTensor)`);
    normalize = { mean: s.mean, std: s.std };
  }
  if (before.length === 0) return { normalize, describe };
  const steps = before as ImageTransformSpec[];
  let compose;
  try {
    compose = T.createTransform(steps);
  } catch (e) {
    throw new CliError(`${where}: ${(e as Error).message}`);
  }
  const transform = workers
    ? { module: '@residual/transforms', export: 'createTransform', options: steps }
    : (compose as unknown as DataLoaderOptions['transform']);
  return { transform, normalize, describe };
}

/** Validation split size, scaled down when only part of the training set is used. */
export function holdoutSize(run: RunSpec, trainSize: number, fullSize: number): number {
  const v = run.data.validation;
  if (!v || typeof v === 'string') return 0;
  return Math.max(1, Math.min(trainSize - 1, Math.round((v.holdout * trainSize) / fullSize)));
}
