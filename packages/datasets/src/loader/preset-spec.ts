import type { SampleTransform } from '../types';
import type { ImageTransformSpec } from '@residual/transforms';
import type { TransformSpec } from './spec';
import { datasetInfo } from '../registry';

export type { PresetName, PresetOptions } from './preset-options';
import type { PresetName, PresetOptions } from './preset-options';

/**
 * Per-channel (RGB) mean and std for the DataLoader's `normalize` (torchvision's ImageNet values).
 * @example
 * ```ts
 * import { DataLoader, IMAGENET_NORMALIZE, ImageNet, presetSpec } from '@residual/datasets';
 * const val = await ImageNet.load({ root: '/data/imagenet', split: 'val' });
 * const loader = new DataLoader(val, { batchSize: 64, transform: presetSpec('imagenet-eval'), normalize: IMAGENET_NORMALIZE });
 * ```
 */
export const IMAGENET_NORMALIZE = { mean: [...datasetInfo('imagenet').mean], std: [...datasetInfo('imagenet').std] };
/**
 * Per-channel (RGB) mean and std of the CIFAR-10 training set, commonly used for the DataLoader's `normalize`.
 * @example
 * ```ts
 * import { CIFAR10, CIFAR10_NORMALIZE, DataLoader, presetSpec } from '@residual/datasets';
 * const train = await CIFAR10.load({ root: '/data' });
 * const loader = new DataLoader(train, { batchSize: 128, shuffle: true, transform: presetSpec('cifar-train'), normalize: CIFAR10_NORMALIZE });
 * ```
 */
export const CIFAR10_NORMALIZE = { mean: [...datasetInfo('cifar10').mean], std: [...datasetInfo('cifar10').std] };

/**
 * The image transforms of a built-in recipe, as `@residual/transforms` specs:
 * - `cifar-train`: `RandomCrop(32, padding 4)` + `RandomHorizontalFlip()` (He et al. 2016, §4.2);
 * - `cifar-eval`: none (the image as is);
 * - `imagenet-train`: `RandomResizedCrop(224)` + `RandomHorizontalFlip()`;
 * - `imagenet-eval`: `Resize(256)` + `CenterCrop(224)` (only the crop with `resizedOnLoad`).
 *
 * @example
 * ```ts
 * presetTransforms('cifar-train'); // [{ name: 'RandomCrop', size: 32, padding: 4 }, { name: 'RandomHorizontalFlip' }]
 * ```
 */
export function presetTransforms(name: PresetName, options: Omit<PresetOptions, 'name'> = {}): ImageTransformSpec[] {
  const crop = options.cropSize ?? 224;
  switch (name) {
    case 'cifar-train':
      return [{ name: 'RandomCrop', size: 32, padding: options.padding ?? 4 }, { name: 'RandomHorizontalFlip' }];
    case 'cifar-eval':
      return [];
    case 'imagenet-train':
      return [{ name: 'RandomResizedCrop', size: crop }, { name: 'RandomHorizontalFlip' }];
    case 'imagenet-eval':
      return options.resizedOnLoad
        ? [{ name: 'CenterCrop', size: crop }]
        : [{ name: 'Resize', size: options.resizeSize ?? 256 }, { name: 'CenterCrop', size: crop }];
    default:
      throw new RangeError(`unknown transform preset ${JSON.stringify(name)}`);
  }
}

/**
 * A {@link TransformSpec} for a built-in recipe, usable with any number of workers: each worker builds it
 * with `@residual/transforms`' `createTransform`, imported by package name.
 *
 * @example
 * ```ts
 * new DataLoader(train, { batchSize: 128, shuffle: true, numWorkers: 2, transform: presetSpec('cifar-train'), normalize: CIFAR10_NORMALIZE });
 * ```
 */
export function presetSpec(name: PresetName, options: Omit<PresetOptions, 'name'> = {}): TransformSpec {
  return { module: '@residual/transforms', export: 'createTransform', options: presetTransforms(name, options) };
}

/**
 * Build a preset transform on this thread (for use outside the DataLoader). `@residual/transforms` is
 * imported lazily, only when a preset is actually built.
 *
 * @example
 * ```ts
 * const t = await loadPresetTransform({ name: 'cifar-train' });
 * const out = t.apply(img, Rng.derive(0, 0, 17));
 * ```
 */
export async function loadPresetTransform(options: PresetOptions): Promise<SampleTransform> {
  const { createTransform } = await import('@residual/transforms');
  const { name, ...rest } = options;
  return createTransform(presetTransforms(name, rest)) as unknown as SampleTransform;
}
