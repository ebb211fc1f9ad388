import type { Rng } from '@residual/random';
import { assertImage, type Image } from '../image';
import { affine, rotate, type GridInterpolation } from '../functional/affine';
import type { Transform } from './base';

/**
 * A closed interval `[min, max]` that a random transform draws a parameter from uniformly.
 *
 * @example
 * ```ts
 * import { RandomRotation, type Range } from '@residual/transforms';
 * const degrees: Range = [-15, 15];
 * const rotate = new RandomRotation(degrees);
 * ```
 */
export type Range = readonly [number, number];

function degreesRange(d: number | Range, where: string): Range {
  if (typeof d === 'number') {
    if (d < 0) throw new RangeError(`transforms/${where}: degrees must be non-negative when a single number, got ${d}`);
    return [-d, d];
  }
  if (d.length !== 2 || d[0] > d[1]) throw new RangeError(`transforms/${where}: degrees must be [min, max], got [${d.join(', ')}]`);
  return d;
}

/** Options of {@link RandomRotation}. */
export interface RandomRotationOptions {
  /** Default `'nearest'`. */
  interpolation?: GridInterpolation;
  expand?: boolean;
  center?: readonly [number, number];
  fill?: number | readonly number[];
}

/**
 * Rotate by an angle ~ U(degrees) (torchvision `RandomRotation`; a number d means [−d, d]).
 *
 * @example
 * ```ts
 * const out = new RandomRotation(15).apply(createImage(32, 32, 3), new Rng(0));
 * ```
 */
export class RandomRotation implements Transform<Image, Image> {
  readonly degrees: Range;

  constructor(
    degrees: number | Range,
    readonly options: RandomRotationOptions = {},
  ) {
    this.degrees = degreesRange(degrees, 'RandomRotation');
  }

  apply(img: Image, rng: Rng): Image {
    assertImage(img, 'RandomRotation');
    const angle = rng.uniformRange(this.degrees[0], this.degrees[1]);
    return rotate(img, angle, this.options);
  }
}

/** Options of {@link RandomAffine} (torchvision's keyword arguments). */
export interface RandomAffineOptions {
  /** Max absolute fraction [a, b] of width/height for horizontal/vertical translation. */
  translate?: Range;
  /** Scale range [lo, hi]. */
  scale?: Range;
  /** Shear: d → x in [−d, d]; [a, b] → x in [a, b]; [a, b, c, d] → x in [a, b], y in [c, d] (degrees). */
  shear?: number | readonly number[];
  /** Default `'nearest'`. */
  interpolation?: GridInterpolation;
  fill?: number | readonly number[];
  center?: readonly [number, number];
}

/**
 * Random affine transform (torchvision `RandomAffine`): angle ~ U(degrees), translation
 * `round(U(−a·W, a·W))`, `round(U(−b·H, b·H))`, scale ~ U(scale), shear ~ U per axis; drawn in that order.
 *
 * @example
 * ```ts
 * const t = new RandomAffine(10, { translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 5 });
 * const out = t.apply(createImage(32, 32, 3), new Rng(0));
 * ```
 */
export class RandomAffine implements Transform<Image, Image> {
  readonly degrees: Range;
  private readonly shearRanges: [Range, Range | null] | null;

  constructor(
    degrees: number | Range,
    readonly options: RandomAffineOptions = {},
  ) {
    this.degrees = degreesRange(degrees, 'RandomAffine');
    const t = options.translate;
    if (t && !(t[0] >= 0 && t[0] <= 1 && t[1] >= 0 && t[1] <= 1)) {
      throw new RangeError(`transforms/RandomAffine: translate values must be in [0, 1], got [${t.join(', ')}]`);
    }
    if (options.scale && !(options.scale[0] > 0 && options.scale[0] <= options.scale[1])) {
      throw new RangeError(`transforms/RandomAffine: scale must be [lo, hi] with 0 < lo <= hi, got [${options.scale.join(', ')}]`);
    }
    const s = options.shear;
    if (s === undefined) this.shearRanges = null;
    else if (typeof s === 'number') this.shearRanges = [[-Math.abs(s), Math.abs(s)], null];
    else if (s.length === 2) this.shearRanges = [[s[0], s[1]], null];
    else if (s.length === 4) this.shearRanges = [[s[0], s[1]], [s[2], s[3]]];
    else throw new RangeError(`transforms/RandomAffine: shear must be a number or 2 or 4 numbers, got ${s.length}`);
  }

  /** [angle, [tx, ty], scale, [shearX, shearY]] as torchvision's `get_params` (same draw order). */
  getParams(height: number, width: number, rng: Rng): [number, [number, number], number, [number, number]] {
    const angle = rng.uniformRange(this.degrees[0], this.degrees[1]);
    let translate: [number, number] = [0, 0];
    if (this.options.translate) {
      const maxDx = this.options.translate[0] * width;
      const maxDy = this.options.translate[1] * height;
      translate = [pyRoundInt(rng.uniformRange(-maxDx, maxDx)), pyRoundInt(rng.uniformRange(-maxDy, maxDy))];
    }
    const scale = this.options.scale ? rng.uniformRange(this.options.scale[0], this.options.scale[1]) : 1;
    let shear: [number, number] = [0, 0];
    if (this.shearRanges) {
      const [sx, sy] = this.shearRanges;
      shear = [rng.uniformRange(sx[0], sx[1]), sy ? rng.uniformRange(sy[0], sy[1]) : 0];
    }
    return [angle, translate, scale, shear];
  }

  apply(img: Image, rng: Rng): Image {
    assertImage(img, 'RandomAffine');
    const [angle, translate, scale, shear] = this.getParams(img.height, img.width, rng);
    return affine(img, angle, translate, scale, shear, {
      interpolation: this.options.interpolation,
      fill: this.options.fill,
      center: this.options.center,
    });
  }
}

/** Python `int(round(x))` (ties to even). */
function pyRoundInt(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
