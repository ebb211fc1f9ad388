import { CenterCrop, Compose, RandomCrop, RandomHorizontalFlip, RandomResizedCrop, Resize } from '@residual/transforms';
import type { SampleTransform } from '../types';
import type { TransformSpec } from './spec';

/** Module name that the DataLoader resolves to these built-in presets in every thread. */
export const PRESETS_MODULE = '@residual/datasets/presets';

/** Names of the built-in augmentation recipes. */
export type PresetName = 'cifar-train' | 'cifar-eval' | 'imagenet-train' | 'imagenet-eval';

/** Options of {@link createPresetTransform}. */
export interface PresetOptions {
  name: PresetName;
  /** CIFAR zero padding before the random 32×32 crop. Default 4 (He et al. 2016). */
  padding?: number;
  /** ImageNet crop size. Default 224. */
  cropSize?: number;
  /** ImageNet evaluation resize (shorter side). Default 256. */
  resizeSize?: number;
  /**
   * ImageNet evaluation: skip the `Resize` because the dataset already decodes at that size
   * (`resizeShorterTo`, shrink-on-load). Default `false`.
   */
  resizedOnLoad?: boolean;
}

/** Per-channel statistics for `normalize` (torchvision's ImageNet values). */
export const IMAGENET_NORMALIZE = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
/** Per-channel statistics of the CIFAR-10 training set, commonly used for `normalize`. */
export const CIFAR10_NORMALIZE = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };

const identity: SampleTransform = { apply: (img) => img };

/**
 * Build a standard recipe from `@residual/transforms`:
 * - `cifar-train`: `RandomCrop(32, {padding: 4})` + `RandomHorizontalFlip()` (He et al. 2016, §4.2);
 * - `cifar-eval`: the image as is;
 * - `imagenet-train`: `RandomResizedCrop(224)` + `RandomHorizontalFlip()`;
 * - `imagenet-eval`: `Resize(256)` + `CenterCrop(224)`.
 *
 * @example
 * ```ts
 * const t = createPresetTransform({ name: 'cifar-train' });
 * const out = t.apply(img, Rng.derive(0, 0, 17));
 * ```
 */
export function createPresetTransform(options: PresetOptions): SampleTransform {
  const crop = options.cropSize ?? 224;
  switch (options.name) {
    case 'cifar-train':
      return new Compose([new RandomCrop(32, { padding: options.padding ?? 4 }), new RandomHorizontalFlip()]);
    case 'cifar-eval':
      return identity;
    case 'imagenet-train':
      return new Compose([new RandomResizedCrop(crop), new RandomHorizontalFlip()]);
    case 'imagenet-eval':
      return new Compose(options.resizedOnLoad ? [new CenterCrop(crop)] : [new Resize(options.resizeSize ?? 256), new CenterCrop(crop)]);
    default:
      throw new RangeError(`unknown transform preset ${JSON.stringify((options as { name: unknown }).name)}`);
  }
}

/** The factory export the DataLoader calls for {@link PRESETS_MODULE}. */
export const createTransform = createPresetTransform;

/**
 * A {@link TransformSpec} for a built-in recipe, usable with any number of workers.
 *
 * @example
 * ```ts
 * new DataLoader(train, { batchSize: 128, shuffle: true, numWorkers: 2, transform: presetSpec('cifar-train'), normalize: CIFAR10_NORMALIZE });
 * ```
 */
export function presetSpec(name: PresetName, options: Omit<PresetOptions, 'name'> = {}): TransformSpec {
  return { module: PRESETS_MODULE, export: 'createTransform', options: { ...options, name } };
}
