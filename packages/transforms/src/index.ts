export { createImage, imageFromBytes, assertImage, cloneImage } from './image';
export type { Image, FloatImage } from './image';
export * from './functional/index';
export { Compose, RandomApply } from './transforms/base';
export { createTransform, IMAGE_TRANSFORM_NAMES } from './create';
export type { ImageTransformSpec } from './create';
export type { Transform } from './transforms/base';
export {
  RandomCrop,
  RandomHorizontalFlip,
  RandomVerticalFlip,
  Resize,
  CenterCrop,
  RandomResizedCrop,
  RandomShortestSize,
  RandomResize,
  FiveCrop,
  TenCrop,
} from './transforms/geometry';
export type {
  RandomCropOptions,
  ResizeTransformOptions,
  RandomResizedCropOptions,
  RandomShortestSizeOptions,
} from './transforms/geometry';
export { RandomRotation, RandomAffine } from './transforms/affine';
export { MultiScaleTenCrop } from './transforms/multiscale';
export type { MultiScaleTenCropOptions } from './transforms/multiscale';
export type { RandomRotationOptions, RandomAffineOptions, Range } from './transforms/affine';
export { ColorJitter, RandomGrayscale, Lighting, RandomErasing, Normalize } from './transforms/color';
export type { ColorJitterOptions, LightingOptions, RandomErasingOptions, NormalizeTransformOptions } from './transforms/color';
export { applyOp, augmentationSpace, linspace32 } from './autoaugment/ops';
export type { AugmentOpName, ApplyOpOptions, OpSpace } from './autoaugment/ops';
export { AUTOAUGMENT_POLICIES } from './autoaugment/policies';
export type { PolicyOp, SubPolicy } from './autoaugment/policies';
export { AutoAugment, RandAugment, TrivialAugmentWide } from './autoaugment/transforms';
export type { AutoAugmentOptions, RandAugmentOptions, TrivialAugmentWideOptions } from './autoaugment/transforms';
