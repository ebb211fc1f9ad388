import type { Rng } from '@residual/random';
import { assertImage, type Image } from '../image';
import { tenCrop } from '../functional/geometry';
import { resize, type Interpolation } from '../functional/resize';
import type { Transform } from './base';

/** Options of {@link MultiScaleTenCrop}. */
export interface MultiScaleTenCropOptions {
  /** Shorter-side sizes, default He et al.'s {224, 256, 384, 480, 640}. */
  scales?: readonly number[];
  /** Crop size, default 224. */
  size?: number | readonly number[];
  /** Mirror vertically instead of horizontally for the second five crops. */
  verticalFlip?: boolean;
  /** Resampling, default bilinear with antialias. */
  interpolation?: Interpolation;
  antialias?: boolean;
}

/**
 * The seeds' multi-scale 10-crop testing: for each scale s, `Resize(s)` (shorter side) then `TenCrop(size)`,
 * concatenated in the order of `scales` (10 crops per scale). Average the model's scores over the crops.
 *
 * @example
 * ```ts
 * const crops = new MultiScaleTenCrop().apply(createImage(375, 500, 3)); // 50 images of 224x224
 * ```
 */
export class MultiScaleTenCrop implements Transform<Image, Image[]> {
  readonly scales: readonly number[];

  constructor(readonly options: MultiScaleTenCropOptions = {}) {
    this.scales = options.scales ?? [224, 256, 384, 480, 640];
    if (this.scales.length === 0 || !this.scales.every((s) => Number.isInteger(s) && s > 0)) {
      throw new RangeError(`transforms/MultiScaleTenCrop: scales must be positive integers, got [${this.scales.join(', ')}]`);
    }
  }

  apply(img: Image, _rng?: Rng): Image[] {
    assertImage(img, 'MultiScaleTenCrop');
    const out: Image[] = [];
    for (const s of this.scales) {
      const resized = resize(img, s, { interpolation: this.options.interpolation, antialias: this.options.antialias });
      out.push(...tenCrop(resized, this.options.size ?? 224, this.options.verticalFlip ?? false));
    }
    return out;
  }
}
