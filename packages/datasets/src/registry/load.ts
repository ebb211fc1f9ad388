// Loading a registered dataset by name: where its files are looked for, and a deterministic
// random stand-in of its shape for dry runs.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CIFAR10, CIFAR100 } from '../cifar/cifar';
import { DatasetError } from '../errors';
import { ImageFolder } from '../folder/image-folder';
import { FashionMNIST } from '../mnist/mnist';
import type { Dataset } from '../types';
import type { DatasetInfo, DatasetName, LoadDatasetOptions } from './types';

export type { LoadDatasetOptions };

/**
 * Where a dataset's files are looked for when no directory is given: `$RESIDUAL_DATA/<name>`, else
 * `~/.cache/residual/<name>`.
 *
 * @example
 * ```ts
 * import { defaultDatasetRoot } from '@residual/datasets';
 * defaultDatasetRoot('cifar10'); // '/home/me/.cache/residual/cifar10'
 * ```
 */
export function defaultDatasetRoot(name: DatasetName): string {
  return join(process.env.RESIDUAL_DATA ?? join(homedir(), '.cache', 'residual'), name);
}

/** The split of a registered dataset, from disk (ImageNet: `train/` and `val/` ImageFolder layouts). */
export async function loadDataset(info: DatasetInfo, options: LoadDatasetOptions): Promise<Dataset> {
  const { split } = options;
  switch (info.name) {
    case 'fashion-mnist':
      return FashionMNIST.load(options.root ? { root: options.root, split } : { split });
    case 'cifar10':
    case 'cifar100': {
      const root = options.root ?? defaultDatasetRoot(info.name);
      return (info.name === 'cifar10' ? CIFAR10 : CIFAR100).load({ root, split });
    }
    case 'imagenet': {
      const dir = join(options.root ?? defaultDatasetRoot('imagenet'), split === 'train' ? 'train' : 'val');
      if (!existsSync(dir)) throw new DatasetError(dir, 'ImageNet not found: expected an ImageFolder layout (class folders of JPEGs) here');
      return ImageFolder.load({ root: dir });
    }
    case 'fake':
      return fakeDataset(info, info.splits[split], split === 'train' ? 1 : 2);
  }
}

/**
 * Random uint8 images of a dataset's shape (at most 64×64) with labels `(7i + stream) mod classes`:
 * a deterministic stand-in for dry runs where the real data is absent.
 *
 * @example
 * ```ts
 * import { datasetInfo, fakeDataset } from '@residual/datasets';
 * fakeDataset(datasetInfo('cifar10'), 8, 1).get(0).label; // 1
 * ```
 */
export function fakeDataset(info: DatasetInfo, n: number, stream: number): Dataset {
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
  const shape = { height: h, width: w, channels: info.channels };
  return {
    length: n,
    classes: info.classNames,
    get: (i: number) => ({ image: { data: images.subarray(i * size, (i + 1) * size), ...shape }, label: labels[i]! }),
  };
}
