export { hflip, vflip, crop, centerCrop, pad, fiveCrop, tenCrop, erase, parsePadding } from './geometry';
export type { PaddingMode, PadOptions } from './geometry';
export { resize, resizedCrop, resizedOutputSize, resizeWindow } from './resize';
export type { Interpolation, ResizeOptions } from './resize';
export { affine, rotate, inverseAffineMatrix } from './affine';
export type { AffineOptions, RotateOptions, GridInterpolation } from './affine';
export {
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  adjustHue,
  adjustSharpness,
  posterize,
  solarize,
  autocontrast,
  equalize,
  invert,
  rgbToGrayscale,
} from './color';
export { pcaLighting, lightingOffset, IMAGENET_PCA } from './lighting';
export type { PcaBasis } from './lighting';
export { toFloat32, normalizeToFloat32, toFloatImage, normalize } from './float';
export type { NormalizeOptions } from './float';
