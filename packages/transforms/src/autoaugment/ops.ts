import type { Image } from '../image';
import { affine, rotate, type GridInterpolation } from '../functional/affine';
import {
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  adjustSharpness,
  autocontrast,
  equalize,
  invert,
  posterize,
  solarize,
} from '../functional/color';
import { f32, roundHalfEven } from '../functional/util';

/** Operation names of the AutoAugment family (torchvision's spelling). */
export type AugmentOpName =
  | 'Identity'
  | 'ShearX'
  | 'ShearY'
  | 'TranslateX'
  | 'TranslateY'
  | 'Rotate'
  | 'Brightness'
  | 'Color'
  | 'Contrast'
  | 'Sharpness'
  | 'Posterize'
  | 'Solarize'
  | 'AutoContrast'
  | 'Equalize'
  | 'Invert';

/** Options of {@link applyOp}. */
export interface ApplyOpOptions {
  /** Default `'nearest'` (torchvision's AutoAugment default). */
  interpolation?: GridInterpolation;
  /** Fill for geometric ops: a number or one per channel. Default zeros. */
  fill?: number | readonly number[];
}

const RAD = 180 / Math.PI;

/**
 * One augmentation op at a signed magnitude, exactly as torchvision's `_apply_op`: shears use
 * `atan(magnitude)` degrees about the top-left corner, translations truncate to whole pixels, enhance ops
 * use factor `1 + magnitude`, posterize truncates to bits.
 *
 * @example
 * ```ts
 * const out = applyOp(createImage(32, 32, 3), 'ShearX', 0.3, { fill: 128 });
 * ```
 */
export function applyOp(img: Image, op: AugmentOpName, magnitude: number, options: ApplyOpOptions = {}): Image {
  const interpolation = options.interpolation ?? 'nearest';
  const fill = options.fill;
  switch (op) {
    case 'ShearX':
      return affine(img, 0, [0, 0], 1, [Math.atan(magnitude) * RAD, 0], { interpolation, fill, center: [0, 0] });
    case 'ShearY':
      return affine(img, 0, [0, 0], 1, [0, Math.atan(magnitude) * RAD], { interpolation, fill, center: [0, 0] });
    case 'TranslateX':
      return affine(img, 0, [Math.trunc(magnitude), 0], 1, [0, 0], { interpolation, fill });
    case 'TranslateY':
      return affine(img, 0, [0, Math.trunc(magnitude)], 1, [0, 0], { interpolation, fill });
    case 'Rotate':
      return rotate(img, magnitude, { interpolation, fill });
    case 'Brightness':
      return adjustBrightness(img, 1 + magnitude);
    case 'Color':
      return adjustSaturation(img, 1 + magnitude);
    case 'Contrast':
      return adjustContrast(img, 1 + magnitude);
    case 'Sharpness':
      return adjustSharpness(img, 1 + magnitude);
    case 'Posterize':
      return posterize(img, Math.trunc(magnitude));
    case 'Solarize':
      return solarize(img, magnitude);
    case 'AutoContrast':
      return autocontrast(img);
    case 'Equalize':
      return equalize(img);
    case 'Invert':
      return invert(img);
    case 'Identity':
      return img;
    default:
      throw new RangeError(`transforms/applyOp: unknown operation '${String(op)}'`);
  }
}

/**
 * `torch.linspace(start, end, steps)` in float32 as torch 1.13's CPU kernel computes it on x86 (AVX2 dispatch,
 * FMA-contracted): the first half counts up from `start`, the second half down from `end`, and blocks of 16
 * values come from an 8-lane `arange` off a block base. Magnitude bins therefore equal torchvision's bit for bit.
 *
 * @example
 * ```ts
 * linspace32(0, 0.3, 10)[9]; // 0.30000001192092896
 * ```
 */
export function linspace32(start: number, end: number, steps: number): number[] {
  const s = f32(start);
  const e = f32(end);
  if (steps === 1) return [s];
  const step = f32(f32(e - s) / (steps - 1));
  const half = Math.floor(steps / 2);
  // single rounding of a*b + c, as a fused multiply-add
  const scalar = (i: number): number => (i < half ? f32(s + step * i) : f32(e - step * (steps - i - 1)));
  const out = new Array<number>(steps);
  let idx = 0;
  for (; steps - idx >= 16; ) {
    for (let u = 0; u < 2; u++, idx += 8) {
      const base = scalar(idx);
      for (let k = 0; k < 8; k++) out[idx + k] = f32(base + f32(step * k));
    }
  }
  for (; idx < steps; idx++) out[idx] = scalar(idx);
  return out;
}

/** An op's magnitude bins and whether a random sign applies (`null` bins: op takes no magnitude). */
export interface OpSpace {
  magnitudes: number[] | null;
  signed: boolean;
}

function posterizeBins(numBins: number, maxDrop: number): number[] {
  const d = f32((numBins - 1) / maxDrop);
  return Array.from({ length: numBins }, (_, i) => 8 - roundHalfEven(f32(i / d)));
}

/**
 * torchvision's `_augmentation_space` tables. `kind` selects AutoAugment / RandAugment (same bins; RandAugment adds
 * `Identity` first and drops `Invert`) or TrivialAugmentWide's wider ranges. `[height, width]` scales translations.
 *
 * @example
 * ```ts
 * augmentationSpace('autoaugment', 10, [32, 32]).Rotate.magnitudes![9]; // 30
 * ```
 */
export function augmentationSpace(
  kind: 'autoaugment' | 'randaugment' | 'trivialaugmentwide',
  numBins: number,
  imageSize: readonly [number, number] = [0, 0],
): Partial<Record<AugmentOpName, OpSpace>> {
  const none = (): OpSpace => ({ magnitudes: null, signed: false });
  const lin = (hi: number): OpSpace => ({ magnitudes: linspace32(0, hi, numBins), signed: true });
  if (kind === 'trivialaugmentwide') {
    return {
      Identity: none(),
      ShearX: lin(0.99),
      ShearY: lin(0.99),
      TranslateX: lin(32),
      TranslateY: lin(32),
      Rotate: lin(135),
      Brightness: lin(0.99),
      Color: lin(0.99),
      Contrast: lin(0.99),
      Sharpness: lin(0.99),
      Posterize: { magnitudes: posterizeBins(numBins, 6), signed: false },
      Solarize: { magnitudes: linspace32(255, 0, numBins), signed: false },
      AutoContrast: none(),
      Equalize: none(),
    };
  }
  const [h, w] = imageSize;
  const space: Partial<Record<AugmentOpName, OpSpace>> = kind === 'randaugment' ? { Identity: none() } : {};
  Object.assign(space, {
    ShearX: lin(0.3),
    ShearY: lin(0.3),
    TranslateX: lin((150 / 331) * w),
    TranslateY: lin((150 / 331) * h),
    Rotate: lin(30),
    Brightness: lin(0.9),
    Color: lin(0.9),
    Contrast: lin(0.9),
    Sharpness: lin(0.9),
    Posterize: { magnitudes: posterizeBins(numBins, 4), signed: false },
    Solarize: { magnitudes: linspace32(255, 0, numBins), signed: false },
    AutoContrast: none(),
    Equalize: none(),
  });
  if (kind === 'autoaugment') space.Invert = none();
  return space;
}
