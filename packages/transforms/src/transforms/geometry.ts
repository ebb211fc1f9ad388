import type { Rng } from '@residual/random';
import { assertImage, type Image } from '../image';
import { centerCrop, fiveCrop, hflip, pad, parsePadding, tenCrop, vflip, windowWithBorder, type PaddingMode } from '../functional/geometry';
import { resize, resizedCrop, resizedOutputSize, type Interpolation } from '../functional/resize';
import { pairSize } from '../functional/util';
import { checkProbability, type Transform } from './base';

/** Options of {@link RandomCrop} (torchvision's keyword arguments). */
export interface RandomCropOptions {
  /** Pad first: n, [lr, tb] or [l, t, r, b]. */
  padding?: number | readonly number[];
  /** Pad (both sides, by the deficit, as torchvision) when the image is smaller than the crop. */
  padIfNeeded?: boolean;
  fill?: number | readonly number[];
  paddingMode?: PaddingMode;
}

/**
 * Random crop (torchvision `RandomCrop`), optionally after padding — the CIFAR recipe is
 * `new RandomCrop(32, { padding: 4 })`. Offsets `i ~ U{0..H−h}`, `j ~ U{0..W−w}` drawn in that order.
 * Padding and cropping are fused: the padded image is never materialised.
 *
 * @example
 * ```ts
 * const t = new RandomCrop(32, { padding: 4 });
 * const out = t.apply(createImage(32, 32, 3), new Rng(0));
 * ```
 */
export class RandomCrop implements Transform<Image, Image> {
  readonly size: [number, number];
  private readonly pads: [number, number, number, number] | null;

  constructor(
    size: number | readonly number[],
    readonly options: RandomCropOptions = {},
  ) {
    this.size = pairSize(size, 'RandomCrop');
    this.pads = options.padding === undefined ? null : parsePadding(options.padding);
  }

  /** Crop box for an unpadded input of size height × width (null when padding is configured). */
  planCrop(height: number, width: number, rng: Rng): [number, number, number, number] | null {
    if (this.pads || this.options.padIfNeeded) return null;
    const [th, tw] = this.size;
    if (height < th || width < tw) {
      throw new RangeError(`transforms/RandomCrop: crop size [${th}, ${tw}] is larger than the (padded) image [${height}, ${width}]`);
    }
    if (height === th && width === tw) return [0, 0, th, tw];
    const i = rng.randint(0, height - th + 1);
    const j = rng.randint(0, width - tw + 1);
    return [i, j, th, tw];
  }

  apply(img: Image, rng: Rng): Image {
    assertImage(img, 'RandomCrop');
    const [th, tw] = this.size;
    const mode = this.options.paddingMode ?? 'constant';
    const fill = this.options.fill ?? 0;
    let src = img;
    let [l, t, r, b] = this.pads ?? [0, 0, 0, 0];
    if (this.options.padIfNeeded) {
      // torchvision pads the whole image (both sides) when it is still too small after `padding`
      if (this.pads) src = pad(src, this.pads, { fill, paddingMode: mode });
      [l, t, r, b] = [0, 0, 0, 0];
      if (src.width < tw) src = pad(src, [tw - src.width, 0], { fill, paddingMode: mode });
      if (src.height < th) src = pad(src, [0, th - src.height], { fill, paddingMode: mode });
    }
    const h = src.height + t + b;
    const w = src.width + l + r;
    if (h < th || w < tw) {
      throw new RangeError(`transforms/RandomCrop: crop size [${th}, ${tw}] is larger than the (padded) image [${h}, ${w}]`);
    }
    let i = 0;
    let j = 0;
    if (!(h === th && w === tw)) {
      i = rng.randint(0, h - th + 1);
      j = rng.randint(0, w - tw + 1);
    }
    return windowWithBorder(src, i - t, j - l, th, tw, mode, fill, 'RandomCrop');
  }
}

/**
 * Mirror left-right with probability `p` (torchvision `RandomHorizontalFlip`).
 *
 * @example
 * ```ts
 * const out = new RandomHorizontalFlip(0.5).apply(createImage(32, 32, 3), new Rng(1));
 * ```
 */
export class RandomHorizontalFlip implements Transform<Image, Image> {
  constructor(readonly p = 0.5) {
    checkProbability(p, 'RandomHorizontalFlip');
  }

  apply(img: Image, rng: Rng): Image {
    return rng.uniform() < this.p ? hflip(img) : img;
  }
}

/**
 * Mirror top-bottom with probability `p` (torchvision `RandomVerticalFlip`).
 *
 * @example
 * ```ts
 * const out = new RandomVerticalFlip(0.5).apply(createImage(32, 32, 3), new Rng(1));
 * ```
 */
export class RandomVerticalFlip implements Transform<Image, Image> {
  constructor(readonly p = 0.5) {
    checkProbability(p, 'RandomVerticalFlip');
  }

  apply(img: Image, rng: Rng): Image {
    return rng.uniform() < this.p ? vflip(img) : img;
  }
}

/** Resampling options shared by the resizing transforms. */
export interface ResizeTransformOptions {
  /** Default `'bilinear'`. */
  interpolation?: Interpolation;
  /** Default `true` (torchvision.transforms.v2's default for uint8). */
  antialias?: boolean;
}

/**
 * Deterministic resize (torchvision `Resize`): a number sets the shorter edge, [h, w] the exact size.
 *
 * @example
 * ```ts
 * const out = new Resize(256).apply(createImage(480, 640, 3)); // 256x341
 * ```
 */
export class Resize implements Transform<Image, Image> {
  constructor(
    readonly size: number | readonly number[],
    readonly options: ResizeTransformOptions & { maxSize?: number } = {},
  ) {}

  get resizeOptions(): ResizeTransformOptions {
    return this.options;
  }

  planSize(img: Image, _rng?: Rng): [number, number] {
    return resizedOutputSize(img.height, img.width, this.size, this.options.maxSize);
  }

  apply(img: Image, _rng?: Rng): Image {
    return resize(img, this.size, this.options);
  }
}

/**
 * Deterministic centre crop (torchvision `CenterCrop`).
 *
 * @example
 * ```ts
 * const out = new CenterCrop(224).apply(createImage(256, 341, 3));
 * ```
 */
export class CenterCrop implements Transform<Image, Image> {
  constructor(readonly size: number | readonly number[]) {}

  planCrop(height: number, width: number, _rng?: Rng): [number, number, number, number] | null {
    const [ch, cw] = pairSize(this.size, 'CenterCrop');
    if (ch > height || cw > width) return null;
    return [pyRound((height - ch) / 2), pyRound((width - cw) / 2), ch, cw];
  }

  apply(img: Image, _rng?: Rng): Image {
    return centerCrop(img, this.size);
  }
}

/** Options of {@link RandomResizedCrop}. */
export interface RandomResizedCropOptions extends ResizeTransformOptions {
  /** Area fraction range, default [0.08, 1]. */
  scale?: readonly [number, number];
  /** Aspect-ratio range (w/h), default [3/4, 4/3], sampled log-uniformly. */
  ratio?: readonly [number, number];
}

/**
 * Inception-style random-sized crop (torchvision `RandomResizedCrop`): up to 10 tries of
 * area ~ U(scale)·HW, log-ratio ~ U(log ratio), then the torchvision centre-crop fallback; resized to `size`.
 *
 * @example
 * ```ts
 * const out = new RandomResizedCrop(224).apply(createImage(375, 500, 3), new Rng(3));
 * ```
 */
export class RandomResizedCrop implements Transform<Image, Image> {
  readonly size: [number, number];
  readonly scale: readonly [number, number];
  readonly ratio: readonly [number, number];

  constructor(
    size: number | readonly number[],
    readonly options: RandomResizedCropOptions = {},
  ) {
    this.size = pairSize(size, 'RandomResizedCrop');
    this.scale = options.scale ?? [0.08, 1];
    this.ratio = options.ratio ?? [3 / 4, 4 / 3];
  }

  /** The crop box [top, left, height, width] (torchvision `get_params`). */
  getParams(height: number, width: number, rng: Rng): [number, number, number, number] {
    const area = height * width;
    const logLo = Math.log(this.ratio[0]);
    const logHi = Math.log(this.ratio[1]);
    for (let attempt = 0; attempt < 10; attempt++) {
      const target = area * rng.uniformRange(this.scale[0], this.scale[1]);
      const aspect = Math.exp(rng.uniformRange(logLo, logHi));
      const w = pyRound(Math.sqrt(target * aspect));
      const h = pyRound(Math.sqrt(target / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        const i = rng.randint(0, height - h + 1);
        const j = rng.randint(0, width - w + 1);
        return [i, j, h, w];
      }
    }
    const inRatio = width / height;
    let w: number;
    let h: number;
    if (inRatio < Math.min(...this.ratio)) {
      w = width;
      h = pyRound(w / Math.min(...this.ratio));
    } else if (inRatio > Math.max(...this.ratio)) {
      h = height;
      w = pyRound(h * Math.max(...this.ratio));
    } else {
      w = width;
      h = height;
    }
    return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
  }

  apply(img: Image, rng: Rng): Image {
    assertImage(img, 'RandomResizedCrop');
    const [i, j, h, w] = this.getParams(img.height, img.width, rng);
    return resizedCrop(img, i, j, h, w, this.size, this.options);
  }
}

/** Python 3 `round()` (half to even). */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Options of {@link RandomShortestSize}. */
export interface RandomShortestSizeOptions extends ResizeTransformOptions {
  /** Upper bound on the longer edge (torchvision `max_size`). */
  maxSize?: number;
  /**
   * `'torchvision'` (default): v2's arithmetic, `int(H·s/min(H, W))`, which truncates some shorter edges to
   * `s − 1` (on a 375×500 image, 15 of the 225 sizes of [256, 480] never occur and 15 occur twice).
   * `'exact'`: the shorter edge is exactly `s` (the paper's uniform scale augmentation), the longer
   * `int(s·long/short)` as `F.resize(img, s)`; `maxSize` still caps the longer edge.
   */
  rounding?: 'torchvision' | 'exact';
}

/**
 * Resize so that the shorter edge is a size drawn uniformly from the list `minSize`, keeping the aspect ratio,
 * with the longer edge bounded by `maxSize` (torchvision.transforms.v2 `RandomShortestSize`, exactly:
 * `r = s / min(H, W)`, `r = min(r, maxSize / max(H, W))`, output `[int(H·r), int(W·r)]`).
 *
 * torchvision vs. the paper: v2 picks one of the *listed* sizes, so `new RandomShortestSize([256, 480])`
 * resizes to 256 or 480 only. He et al.'s scale augmentation samples the shorter side uniformly in
 * [256, 480] *inclusive*: use {@link RandomShortestSize.range}`(256, 480)`, which lists every integer of the
 * range (v2's `RandomResize(256, 481)` is the same distribution with its own rounding of the longer edge; see
 * {@link RandomResize}).
 *
 * @example
 * ```ts
 * const scaleAug = RandomShortestSize.range(256, 480);     // paper: shorter side ~ U{256..480}
 * const out = scaleAug.apply(createImage(375, 500, 3), new Rng(0));
 * ```
 */
export class RandomShortestSize implements Transform<Image, Image> {
  readonly minSize: number[];

  constructor(
    minSize: number | readonly number[],
    readonly options: RandomShortestSizeOptions = {},
  ) {
    this.minSize = typeof minSize === 'number' ? [minSize] : [...minSize];
    if (this.minSize.length === 0 || !this.minSize.every((s) => Number.isInteger(s) && s > 0)) {
      throw new RangeError(`transforms/RandomShortestSize: minSize must be positive integers, got [${this.minSize.join(', ')}]`);
    }
  }

  /** Every integer in [lo, hi] (inclusive) as candidate shorter edges: the paper's scale augmentation. */
  static range(lo: number, hi: number, options: RandomShortestSizeOptions = {}): RandomShortestSize {
    if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo > 0 && hi >= lo)) {
      throw new RangeError(`transforms/RandomShortestSize.range: need integers 0 < lo <= hi, got [${lo}, ${hi}]`);
    }
    return new RandomShortestSize(Array.from({ length: hi - lo + 1 }, (_, k) => lo + k), options);
  }

  /** Output [height, width] for a drawn shorter-edge size `s` (v2's `_get_params` arithmetic). */
  outputSize(height: number, width: number, s: number): [number, number] {
    const short = Math.min(height, width);
    const long = Math.max(height, width);
    if (this.options.rounding === 'exact' && (this.options.maxSize === undefined || Math.trunc((s * long) / short) <= this.options.maxSize)) {
      const other = Math.trunc((s * long) / short);
      return height <= width ? [s, other] : [other, s];
    }
    let r = s / short;
    if (this.options.maxSize !== undefined) r = Math.min(r, this.options.maxSize / long);
    return [Math.trunc(height * r), Math.trunc(width * r)];
  }

  /** Resampling options only: `maxSize` is already folded into the planned size. */
  get resizeOptions(): ResizeTransformOptions {
    return { interpolation: this.options.interpolation, antialias: this.options.antialias };
  }

  planSize(img: Image, rng: Rng): [number, number] {
    const s = this.minSize[rng.randint(0, this.minSize.length)];
    return this.outputSize(img.height, img.width, s);
  }

  apply(img: Image, rng: Rng): Image {
    assertImage(img, 'RandomShortestSize');
    return resize(img, this.planSize(img, rng), this.resizeOptions);
  }
}

/**
 * Resize the shorter edge to `s ~ U{minSize, …, maxSize − 1}` (torchvision.transforms.v2 `RandomResize`; the
 * upper bound is exclusive as in `torch.randint`), longer edge `int(s · long / short)` as `F.resize(img, s)`.
 *
 * @example
 * ```ts
 * const out = new RandomResize(256, 481).apply(createImage(375, 500, 3), new Rng(0));
 * ```
 */
export class RandomResize implements Transform<Image, Image> {
  constructor(
    readonly minSize: number,
    readonly maxSize: number,
    readonly options: ResizeTransformOptions = {},
  ) {
    if (!(Number.isInteger(minSize) && Number.isInteger(maxSize) && minSize > 0 && maxSize > minSize)) {
      throw new RangeError(`transforms/RandomResize: need integers 0 < minSize < maxSize, got ${minSize}, ${maxSize}`);
    }
  }

  get resizeOptions(): ResizeTransformOptions {
    return this.options;
  }

  planSize(img: Image, rng: Rng): [number, number] {
    return resizedOutputSize(img.height, img.width, rng.randint(this.minSize, this.maxSize));
  }

  apply(img: Image, rng: Rng): Image {
    return resize(img, rng.randint(this.minSize, this.maxSize), this.options);
  }
}

/**
 * The four corners and the centre (torchvision `FiveCrop`); returns an array of 5 images.
 *
 * @example
 * ```ts
 * const crops = new FiveCrop(224).apply(createImage(256, 256, 3));
 * ```
 */
export class FiveCrop implements Transform<Image, Image[]> {
  constructor(readonly size: number | readonly number[]) {}

  apply(img: Image, _rng?: Rng): Image[] {
    return fiveCrop(img, this.size);
  }
}

/**
 * Five crops of the image and five of its mirror (torchvision `TenCrop`, v2 semantics identical):
 * `[tl, tr, bl, br, center, tl', tr', bl', br', center']` where primes are crops of the flipped image.
 * The paper's multi-scale testing resizes the shorter side to each of {224, 256, 384, 480, 640} and averages
 * the ten-crop scores: compose `new Resize(s)` with `new TenCrop(224)`.
 *
 * @example
 * ```ts
 * const crops = new TenCrop(224).apply(new Resize(256).apply(createImage(375, 500, 3)));
 * ```
 */
export class TenCrop implements Transform<Image, Image[]> {
  constructor(
    readonly size: number | readonly number[],
    readonly options: { verticalFlip?: boolean } = {},
  ) {}

  apply(img: Image, _rng?: Rng): Image[] {
    return tenCrop(img, this.size, this.options.verticalFlip ?? false);
  }
}

