import { CenterCrop, Compose, RandomCrop, RandomHorizontalFlip, RandomResizedCrop, Resize } from '@residual/transforms';
import type { SampleTransform } from '../types';
import type { PresetOptions } from './preset-options';

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

