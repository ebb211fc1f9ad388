import type { Rng } from '@residual/random';
import { assertImage, type FloatImage, type Image } from '../image';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, rgbToGrayscale } from '../functional/color';
import { erase } from '../functional/geometry';
import { IMAGENET_PCA, pcaLighting, type PcaBasis } from '../functional/lighting';
import { applyChannelTables, channelTables, normalizeToFloat32 } from '../functional/float';
import { checkProbability, type Transform } from './base';
import { pyRound } from './geometry';
import type { Range } from './affine';

/** Options of {@link ColorJitter}: a number v means [max(0, 1 − v), 1 + v] (hue: [−v, v]), or give a range. */
export interface ColorJitterOptions {
  brightness?: number | Range;
  contrast?: number | Range;
  saturation?: number | Range;
  hue?: number | Range;
}

function jitterRange(v: number | Range | undefined, name: string, center: number, bound: Range, clip: boolean): Range | null {
  if (v === undefined) return null;
  let r: [number, number];
  if (typeof v === 'number') {
    if (v < 0) throw new RangeError(`transforms/ColorJitter: ${name} must be non-negative, got ${v}`);
    r = [center - v, center + v];
    if (clip) r[0] = Math.max(r[0], 0);
  } else {
    r = [v[0], v[1]];
  }
  if (!(bound[0] <= r[0] && r[0] <= r[1] && r[1] <= bound[1])) {
    throw new RangeError(`transforms/ColorJitter: ${name} range [${r.join(', ')}] must lie within [${bound.join(', ')}]`);
  }
  return r[0] === center && r[1] === center ? null : r;
}

/**
 * Random brightness, contrast, saturation and hue in a random order (torchvision `ColorJitter`): draws a
 * permutation of the four, then each factor uniformly in its range, then applies them.
 *
 * @example
 * ```ts
 * const jitter = new ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4 });
 * const out = jitter.apply(createImage(32, 32, 3), new Rng(0));
 * ```
 */
export class ColorJitter implements Transform<Image, Image> {
  readonly brightness: Range | null;
  readonly contrast: Range | null;
  readonly saturation: Range | null;
  readonly hue: Range | null;

  constructor(options: ColorJitterOptions = {}) {
    const inf = Number.POSITIVE_INFINITY;
    this.brightness = jitterRange(options.brightness, 'brightness', 1, [0, inf], true);
    this.contrast = jitterRange(options.contrast, 'contrast', 1, [0, inf], true);
    this.saturation = jitterRange(options.saturation, 'saturation', 1, [0, inf], true);
    this.hue = jitterRange(options.hue, 'hue', 0, [-0.5, 0.5], false);
  }

  /** [order, brightness, contrast, saturation, hue] as torchvision's `get_params` (null = not applied). */
  getParams(rng: Rng): [Int32Array, number | null, number | null, number | null, number | null] {
    const order = rng.permutation(4);
    const draw = (r: Range | null): number | null => (r === null ? null : rng.uniformRange(r[0], r[1]));
    return [order, draw(this.brightness), draw(this.contrast), draw(this.saturation), draw(this.hue)];
  }

  apply(img: Image, rng: Rng): Image {
    assertImage(img, 'ColorJitter');
    const [order, b, c, s, h] = this.getParams(rng);
    let out = img;
    for (const k of order) {
      if (k === 0 && b !== null) out = adjustBrightness(out, b);
      else if (k === 1 && c !== null) out = adjustContrast(out, c);
      else if (k === 2 && s !== null) out = adjustSaturation(out, s);
      else if (k === 3 && h !== null) out = adjustHue(out, h);
    }
    return out;
  }
}

/**
 * Grayscale with probability `p`, keeping the channel count (torchvision `RandomGrayscale`).
 *
 * @example
 * ```ts
 * const out = new RandomGrayscale(0.1).apply(createImage(32, 32, 3), new Rng(0));
 * ```
 */
export class RandomGrayscale implements Transform<Image, Image> {
  constructor(readonly p = 0.1) {
    checkProbability(p, 'RandomGrayscale');
  }

  apply(img: Image, rng: Rng): Image {
    if (!(rng.uniform() < this.p)) return img;
    return rgbToGrayscale(img, img.channels === 3 ? 3 : 1);
  }
}

/** Options of {@link Lighting}. */
export interface LightingOptions {
  /** Std of the per-component coefficients, default 0.1 (AlexNet). */
  alphastd?: number;
  /** Eigen-decomposition, default ImageNet's ({@link IMAGENET_PCA}). */
  basis?: PcaBasis;
}

/**
 * AlexNet PCA lighting noise — the paper's "standard color augmentation" — with alpha ~ N(0, alphastd²) per
 * principal component (three `rng.normal()` draws), applied by {@link pcaLighting}.
 *
 * @example
 * ```ts
 * const out = new Lighting().apply(createImage(224, 224, 3, 128), new Rng(0));
 * ```
 */
export class Lighting implements Transform<Image, Image> {
  readonly alphastd: number;
  readonly basis: PcaBasis;

  constructor(options: LightingOptions = {}) {
    this.alphastd = options.alphastd ?? 0.1;
    if (!(this.alphastd >= 0)) throw new RangeError(`transforms/Lighting: alphastd must be >= 0, got ${this.alphastd}`);
    this.basis = options.basis ?? IMAGENET_PCA;
  }

  apply(img: Image, rng: Rng): Image {
    if (this.alphastd === 0) return img;
    const alpha = [rng.normal(0, this.alphastd), rng.normal(0, this.alphastd), rng.normal(0, this.alphastd)];
    return pcaLighting(img, alpha, this.basis);
  }
}

/** Options of {@link RandomErasing}. */
export interface RandomErasingOptions {
  /** Probability of erasing, default 0.5. */
  p?: number;
  /** Erased area fraction range, default [0.02, 0.33]. */
  scale?: Range;
  /** Aspect-ratio range (h/w), default [0.3, 3.3], sampled log-uniformly. */
  ratio?: Range;
  /** Fill: a number, one per channel, or `'random'` (N(0,1) on float images, uniform bytes on uint8). Default 0. */
  value?: number | readonly number[] | 'random';
}

/**
 * Erase a random rectangle (torchvision `RandomErasing`, Zhong et al.), on uint8 images or — as usual, after
 * {@link Normalize} — on HWC float images. Up to 10 tries; unchanged if none fits.
 *
 * @example
 * ```ts
 * const out = new RandomErasing({ p: 1 }).apply(createImage(32, 32, 3, 200), new Rng(0));
 * ```
 */
export class RandomErasing<T extends Image | FloatImage = Image | FloatImage> implements Transform<T, T> {
  readonly p: number;
  readonly scale: Range;
  readonly ratio: Range;
  readonly value: number | readonly number[] | 'random';

  constructor(options: RandomErasingOptions = {}) {
    this.p = options.p ?? 0.5;
    checkProbability(this.p, 'RandomErasing');
    this.scale = options.scale ?? [0.02, 0.33];
    this.ratio = options.ratio ?? [0.3, 3.3];
    this.value = options.value ?? 0;
    if (this.scale[0] < 0 || this.scale[1] > 1) throw new RangeError('transforms/RandomErasing: scale must lie in [0, 1]');
  }

  /** The box [top, left, height, width], or null when no try fits (torchvision `get_params`). */
  getParams(height: number, width: number, rng: Rng): [number, number, number, number] | null {
    const area = height * width;
    const logLo = Math.log(this.ratio[0]);
    const logHi = Math.log(this.ratio[1]);
    for (let attempt = 0; attempt < 10; attempt++) {
      const eraseArea = area * rng.uniformRange(this.scale[0], this.scale[1]);
      const aspect = Math.exp(rng.uniformRange(logLo, logHi));
      const h = pyRound(Math.sqrt(eraseArea * aspect));
      const w = pyRound(Math.sqrt(eraseArea / aspect));
      if (!(h < height && w < width)) continue;
      const i = rng.randint(0, height - h + 1);
      const j = rng.randint(0, width - w + 1);
      return [i, j, h, w];
    }
    return null;
  }

  apply(input: T, rng: Rng): T {
    if (!(rng.uniform() < this.p)) return input;
    const box = this.getParams(input.height, input.width, rng);
    if (!box) return input;
    const [i, j, h, w] = box;
    const c = input.channels;
    if (input.data instanceof Uint8Array) {
      const img = input as Image;
      if (this.value === 'random') {
        const patch = new Uint8Array(h * w * c);
        for (let k = 0; k < patch.length; k++) patch[k] = rng.randint(0, 256);
        return erase(img, i, j, h, w, patch) as T;
      }
      return erase(img, i, j, h, w, this.value) as T;
    }
    const f = input as FloatImage;
    const data = f.data.slice();
    let vals: number[] | null = null;
    if (this.value !== 'random') {
      const v = typeof this.value === 'number' ? [this.value] : [...this.value];
      vals = v.length === 1 ? new Array<number>(c).fill(v[0]) : v;
      if (vals.length !== c) throw new RangeError(`transforms/RandomErasing: value has ${v.length} entries, image has ${c} channels`);
    }
    const n = f.height * f.width;
    for (let y = i; y < i + h; y++) {
      for (let x = j; x < j + w; x++) {
        for (let k = 0; k < c; k++) {
          const idx = f.layout === 'HWC' ? (y * f.width + x) * c + k : k * n + y * f.width + x;
          data[idx] = vals ? vals[k] : rng.normal();
        }
      }
    }
    return { ...f, data } as T;
  }
}

/** Options of {@link Normalize}. */
export interface NormalizeTransformOptions {
  /** Per-channel mean on the [0, 1] scale, or a per-pixel mean image (HWC Float32Array, [0, 1] scale). */
  mean: readonly number[] | Float32Array;
  /** Per-channel std, default 1. */
  std?: readonly number[];
  /** Default `'HWC'`. */
  layout?: 'HWC' | 'CHW';
}

/**
 * uint8 image → normalised float image `(x/255 − mean) / std` (torchvision `ToTensor` + `Normalize` in one step,
 * without tfjs). With a per-pixel `mean` image it performs He et al.'s CIFAR per-pixel mean subtraction.
 *
 * @example
 * ```ts
 * const norm = new Normalize({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
 * const x = norm.apply(createImage(224, 224, 3)); // FloatImage, HWC
 * ```
 */
export class Normalize implements Transform<Image, FloatImage> {
  /** Per-channel lookup tables, built once (null for a per-pixel mean). */
  private readonly tables: Float32Array[] | null;

  constructor(readonly options: NormalizeTransformOptions) {
    const { mean, std } = options;
    const perChannel = !(mean instanceof Float32Array) || mean.length <= 3;
    if (std && mean.length <= 3 && std.length !== mean.length) {
      throw new RangeError(`transforms/Normalize: mean has ${mean.length} values but std has ${std.length}`);
    }
    if (std && std.some((v) => Math.fround(v) === 0)) throw new RangeError('transforms/Normalize: std must not be zero');
    this.tables = perChannel ? channelTables(Array.from(mean), std ?? new Array<number>(mean.length).fill(1)) : null;
  }

  apply(img: Image, _rng?: Rng): FloatImage {
    const layout = this.options.layout ?? 'HWC';
    let data: Float32Array;
    if (this.tables && this.tables.length === img.channels) {
      assertImage(img, 'Normalize');
      data = applyChannelTables(img, this.tables, layout);
    } else {
      data = normalizeToFloat32(img, { mean: this.options.mean, std: this.options.std, layout });
    }
    return { data, height: img.height, width: img.width, channels: img.channels, layout };
  }
}
