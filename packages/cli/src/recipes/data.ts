import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Dataset, DataLoaderOptions } from '@residual/datasets';
import { datasetInfo } from '@residual/datasets';
import type { ImageTransformSpec } from '@residual/transforms';
import type { DatasetName, RunSpec, TransformSpec } from './schema';
import { CliError } from '../util/errors';

/** Where a dataset's files are looked for when the recipe and the command line give no directory. */
export function defaultDataRoot(name: DatasetName): string {
  const base = process.env.RESIDUAL_DATA ?? join(homedir(), '.cache', 'residual');
  return join(base, name);
}

/** The train and test splits of a dataset, read from disk. Throws a CliError saying how to get it. */
export async function loadSplits(name: DatasetName, root: string | undefined): Promise<{ train: Dataset; test: Dataset }> {
  const ds = await import('@residual/datasets');
  // ImageNet cannot be downloaded by us (it needs an account at image-net.org): never suggest it.
  const hint =
    name === 'imagenet'
      ? 'download ILSVRC-2012 from image-net.org (it needs an account), lay it out as train/<wnid>/*.JPEG and val/, and pass --data-dir'
      : `run 'residual datasets download ${name}' or pass --data-dir`;
  try {
    switch (name) {
      case 'fashion-mnist': {
        const opts = root ? { root } : {};
        return { train: await ds.FashionMNIST.load({ ...opts, split: 'train' }), test: await ds.FashionMNIST.load({ ...opts, split: 'test' }) };
      }
      case 'cifar10':
      case 'cifar100': {
        const r = root ?? defaultDataRoot(name);
        const C = name === 'cifar10' ? ds.CIFAR10 : ds.CIFAR100;
        return { train: await C.load({ root: r, split: 'train' }), test: await C.load({ root: r, split: 'test' }) };
      }
      case 'imagenet': {
        const r = root ?? defaultDataRoot(name);
        if (!existsSync(join(r, 'train')) || !existsSync(join(r, 'val'))) {
          throw new CliError(`ImageNet not found: expected ImageFolder layouts ${join(r, 'train')} and ${join(r, 'val')} (pass --data-dir)`);
        }
        return { train: await ds.ImageFolder.load({ root: join(r, 'train') }), test: await ds.ImageFolder.load({ root: join(r, 'val') }) };
      }
      case 'fake':
        return { train: fakeDataset(name, datasetInfo('fake').splits.train, 1), test: fakeDataset(name, datasetInfo('fake').splits.test, 2) };
    }
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`dataset ${name} not available (${(e as Error).message.split('\n')[0]}); ${hint}`);
  }
}

/**
 * Random images of the dataset's shape with random labels: a stand-in for dry runs where the real data
 * is absent. Deterministic in `stream`.
 */
export function fakeDataset(name: DatasetName, n: number, stream: number): Dataset {
  const info = datasetInfo(name);
  // Kept small: ImageNet-sized fakes only need to exercise the pipeline.
  const h = Math.min(info.height, 64);
  const w = Math.min(info.width, 64);
  const size = h * w * info.channels;
  const images = new Uint8Array(n * size);
  let s = (stream * 2654435761) >>> 0;
  for (let i = 0; i < images.length; i++) {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    images[i] = s >>> 24;
  }
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7 + stream) % info.numClasses);
  return new FakeDataset(images, labels, { height: h, width: w, channels: info.channels }, info.numClasses);
}

class FakeDataset implements Dataset {
  constructor(
    private readonly images: Uint8Array,
    private readonly labels: Int32Array,
    private readonly shape: { height: number; width: number; channels: number },
    readonly numClasses: number,
  ) {}
  get length(): number {
    return this.labels.length;
  }
  get(i: number) {
    const size = this.shape.height * this.shape.width * this.shape.channels;
    return { image: { data: this.images.subarray(i * size, (i + 1) * size), ...this.shape }, label: this.labels[i]! };
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
