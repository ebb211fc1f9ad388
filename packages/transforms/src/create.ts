import { AutoAugment } from './autoaugment/transforms';
import { Compose, type Transform } from './transforms/base';
import { CenterCrop, RandomCrop, RandomHorizontalFlip, RandomResizedCrop, RandomShortestSize, Resize } from './transforms/geometry';
import type { PaddingMode } from './functional/index';
import type { Image } from './image';

/**
 * One image transform as data — a step of a recipe's `data.train`/`data.test` list: torchvision's class
 * name and its arguments (camelCase). {@link createTransform} builds it.
 */
export type ImageTransformSpec =
  | { name: 'RandomCrop'; size: number; padding?: number; paddingMode?: PaddingMode }
  | { name: 'RandomHorizontalFlip'; p?: number }
  | { name: 'RandomResizedCrop'; size: number; scale?: [number, number]; ratio?: [number, number] }
  /**
   * torchvision v2 `RandomShortestSize`: the shorter side becomes a size drawn from `minSize` (or every
   * integer of `minSizeRange`, inclusive: He et al.'s scale augmentation is [256, 480]); `maxSize` caps the
   * longer side. `rounding` defaults to `'exact'` here (the paper's uniform sizes; the class's default is
   * torchvision's arithmetic, which skips some sizes): see `RandomShortestSizeOptions`.
   */
  | { name: 'RandomShortestSize'; minSize?: number | number[]; minSizeRange?: [number, number]; maxSize?: number; rounding?: 'exact' | 'torchvision' }
  | { name: 'Resize'; size: number }
  | { name: 'CenterCrop'; size: number }
  /** torchvision's `AutoAugment(AutoAugmentPolicy.CIFAR10 | IMAGENET | SVHN)`. */
  | { name: 'AutoAugment'; policy: 'CIFAR10' | 'IMAGENET' | 'SVHN' };

/** The names {@link createTransform} builds. */
export const IMAGE_TRANSFORM_NAMES = ['RandomCrop', 'RandomHorizontalFlip', 'RandomResizedCrop', 'RandomShortestSize', 'Resize', 'CenterCrop', 'AutoAugment'] as const;

function createOne(s: ImageTransformSpec): Transform<Image, Image> {
  switch (s.name) {
    case 'RandomCrop':
      return new RandomCrop(s.size, { padding: s.padding, paddingMode: s.paddingMode });
    case 'RandomHorizontalFlip':
      return new RandomHorizontalFlip(s.p ?? 0.5);
    case 'RandomResizedCrop':
      return new RandomResizedCrop(s.size, { scale: s.scale, ratio: s.ratio });
    case 'RandomShortestSize': {
      const range = s.minSizeRange;
      const sizes = range ? Array.from({ length: range[1] - range[0] + 1 }, (_, i) => range[0] + i) : s.minSize;
      if (sizes === undefined) throw new Error('createTransform: RandomShortestSize needs minSize or minSizeRange');
      return new RandomShortestSize(sizes, { rounding: s.rounding ?? 'exact', ...(s.maxSize === undefined ? {} : { maxSize: s.maxSize }) });
    }
    case 'Resize':
      return new Resize(s.size);
    case 'CenterCrop':
      return new CenterCrop(s.size);
    case 'AutoAugment':
      return new AutoAugment({ policy: s.policy.toLowerCase() as 'cifar10' | 'imagenet' | 'svhn' });
    default: {
      const name = (s as { name?: unknown }).name;
      const hint = name === 'ToTensor' || name === 'Normalize' ? ` (${String(name)} is the loader's job: DataLoader's normalize option)` : '';
      throw new Error(`createTransform: unknown transform '${String(name)}'${hint}; known: ${IMAGE_TRANSFORM_NAMES.join(', ')}`);
    }
  }
}

/**
 * Build uint8 image transforms from their specs (timm's `create_transform`, torchvision's `Compose` of the
 * named classes). A list becomes one `Compose` (an empty one is the identity); a single spec, that transform. The result is also the factory
 * a DataLoader's worker threads call by package name:
 * `transform: { module: '@residual/transforms', export: 'createTransform', options: specs }`.
 *
 * @example
 * ```ts
 * import { createTransform } from '@residual/transforms';
 * const augment = createTransform([{ name: 'RandomCrop', size: 32, padding: 4 }, { name: 'RandomHorizontalFlip' }]);
 * ```
 */
export function createTransform(spec: ImageTransformSpec | readonly ImageTransformSpec[]): Transform<Image, Image> {
  if (!Array.isArray(spec)) return createOne(spec as ImageTransformSpec);
  return new Compose((spec as readonly ImageTransformSpec[]).map(createOne));
}
