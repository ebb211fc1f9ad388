// The registry's vocabulary, shared by the registry and the loaders it calls.
import type { Dataset } from '../types';

/** The datasets the registry describes (`fake` is random data of CIFAR's shape, for dry runs). */
export const DATASET_NAMES = ['cifar10', 'cifar100', 'fashion-mnist', 'imagenet', 'fake'] as const;
/** A name of {@link DATASET_NAMES}. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** What every other package needs to know about a dataset, declared once here. */
export interface DatasetInfo {
  name: DatasetName;
  numClasses: number;
  /** Class names in label order. */
  classNames: readonly string[];
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  /** Native image height and width (ImageNet: the usual 256 resize). */
  height: number;
  width: number;
  /** Images per split. */
  splits: { train: number; test: number };
  /** Per-channel mean and std of the training images in [0, 1] (torchvision's values for ImageNet). */
  mean: readonly number[];
  std: readonly number[];
  /** Load a split from disk (`{ split, root? }`); errors name the directory and what was missing. */
  load(options: LoadDatasetOptions): Promise<Dataset>;
}

/** Options of `datasetInfo(name).load(...)`. */
export interface LoadDatasetOptions {
  split: 'train' | 'test';
  /** Directory of the dataset's files. @defaultValue `defaultDatasetRoot(name)` (Fashion-MNIST: its own search, Debian's package included) */
  root?: string;
}
