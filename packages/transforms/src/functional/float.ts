import { assertImage, type FloatImage, type Image } from '../image';

/** Options of {@link normalizeToFloat32}. */
export interface NormalizeOptions {
  /** Per-channel mean (on the [0, 1] scale), or a per-pixel mean image (HWC, [0, 1] scale, same size). */
  mean: readonly number[] | Float32Array;
  /** Per-channel std (default 1 for every channel). */
  std?: readonly number[];
  /** Output layout, default `'HWC'` (what tfjs NHWC consumes). */
  layout?: 'HWC' | 'CHW';
  /** Write into this array instead of allocating (must hold h·w·c floats). */
  out?: Float32Array;
}

/**
 * uint8 → float32 in [0, 1] (torchvision `to_tensor` / `convert_image_dtype`), HWC or CHW.
 *
 * @example
 * ```ts
 * const f = toFloat32(createImage(2, 2, 3, 255)); // Float32Array of 1s, HWC
 * ```
 */
export function toFloat32(img: Image, layout: 'HWC' | 'CHW' = 'HWC', out?: Float32Array): Float32Array {
  assertImage(img, 'toFloat32');
  const c = img.channels;
  return normalizeToFloat32(img, { mean: new Array(c).fill(0), std: new Array(c).fill(1), layout, out });
}

/**
 * `(x / 255 − mean) / std` per channel — torchvision `normalize(to_tensor(img), mean, std)` — or, with a
 * Float32Array `mean` of h·w·c values, per-pixel mean subtraction (He et al.'s CIFAR recipe). No tfjs needed,
 * so it runs in data-loader worker threads. Computed in float32 like torch.
 *
 * @example
 * ```ts
 * const x = normalizeToFloat32(createImage(32, 32, 3), { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] });
 * ```
 */
export function normalizeToFloat32(img: Image, options: NormalizeOptions): Float32Array {
  assertImage(img, 'normalizeToFloat32');
  const { height: h, width: w, channels: c, data } = img;
  const n = h * w;
  const layout = options.layout ?? 'HWC';
  const out = options.out ?? new Float32Array(n * c);
  if (out.length < n * c) throw new RangeError(`transforms/normalizeToFloat32: out holds ${out.length} floats, needs ${n * c}`);
  const std = options.std ?? new Array(c).fill(1);
  if (std.length !== c) throw new RangeError(`transforms/normalizeToFloat32: std has ${std.length} values, image has ${c} channels`);
  if (std.some((s) => Math.fround(s) === 0)) throw new RangeError('transforms/normalizeToFloat32: std must not be zero');
  const mean = options.mean;
  const perPixel = mean instanceof Float32Array && mean.length !== c;
  if (perPixel) {
    if (mean.length !== n * c) {
      throw new RangeError(`transforms/normalizeToFloat32: per-pixel mean has ${mean.length} values, image needs ${n * c} (HWC)`);
    }
  } else if (mean.length !== c) {
    throw new RangeError(`transforms/normalizeToFloat32: mean has ${mean.length} values, image has ${c} channels`);
  }
  const sd = Float32Array.from(std);
  if (perPixel) {
    for (let p = 0; p < n; p++) {
      for (let k = 0; k < c; k++) {
        const i = p * c + k;
        const v = Math.fround(INV255[data[i]] - mean[i]) / sd[k];
        out[layout === 'HWC' ? i : k * n + p] = v;
      }
    }
    return out;
  }
  return applyChannelTables(img, channelTables(mean as readonly number[], std), layout, out);
}

/** v / 255 in float32, as torchvision's `convert_image_dtype`. */
const INV255 = (() => {
  const t = new Float32Array(256);
  for (let v = 0; v < 256; v++) t[v] = v / 255;
  return t;
})();

/**
 * @internal One 256-entry table per channel: `(v/255 − m)/s` computed in float32 as torch's `sub_` then `div_`.
 * {@link Normalize} builds these once; the function form builds them per call.
 */
export function channelTables(mean: readonly number[], std: readonly number[]): Float32Array[] {
  const tables: Float32Array[] = [];
  for (let k = 0; k < mean.length; k++) {
    const t = new Float32Array(256);
    const m = Math.fround(mean[k]);
    const s = Math.fround(std[k]);
    for (let v = 0; v < 256; v++) t[v] = Math.fround(INV255[v] - m) / s;
    tables.push(t);
  }
  return tables;
}

/** @internal Look every byte up in its channel's table. */
export function applyChannelTables(img: Image, tables: Float32Array[], layout: 'HWC' | 'CHW', out?: Float32Array): Float32Array {
  const { height: h, width: w, channels: c, data } = img;
  const n = h * w;
  const dst = out ?? new Float32Array(n * c);
  if (layout === 'HWC') {
    if (c === 3) {
      const t0 = tables[0];
      const t1 = tables[1];
      const t2 = tables[2];
      for (let i = 0; i < n * 3; i += 3) {
        dst[i] = t0[data[i]];
        dst[i + 1] = t1[data[i + 1]];
        dst[i + 2] = t2[data[i + 2]];
      }
    } else {
      const t0 = tables[0];
      for (let i = 0; i < n; i++) dst[i] = t0[data[i]];
    }
  } else {
    for (let k = 0; k < c; k++) {
      const t = tables[k];
      for (let p = 0; p < n; p++) dst[k * n + p] = t[data[p * c + k]];
    }
  }
  return dst;
}

/**
 * Wrap {@link normalizeToFloat32}'s output as a {@link FloatImage}.
 *
 * @example
 * ```ts
 * const fi = toFloatImage(createImage(4, 4, 3), { mean: [0, 0, 0], std: [1, 1, 1] });
 * ```
 */
export function toFloatImage(img: Image, options: NormalizeOptions): FloatImage {
  const data = normalizeToFloat32(img, options);
  return { data, height: img.height, width: img.width, channels: img.channels, layout: options.layout ?? 'HWC' };
}

/**
 * `(x − mean) / std` on a float image (torchvision `F.normalize` on a float tensor): per-channel `mean`/`std`, or a
 * per-pixel `mean` (same layout and size as the image). Float32 arithmetic like torch's `sub_` then `div_`.
 *
 * @example
 * ```ts
 * const f = toFloatImage(createImage(4, 4, 3, 255), { mean: [0, 0, 0] });
 * const n = normalize(f, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]); // all 1
 * ```
 */
export function normalize(img: FloatImage, mean: readonly number[] | Float32Array, std?: readonly number[], inPlace = false): FloatImage {
  const { height: h, width: w, channels: c, layout } = img;
  const n = h * w;
  if (img.data.length !== n * c) throw new RangeError(`transforms/normalize: data has ${img.data.length} values, ${h}x${w}x${c} needs ${n * c}`);
  const sd = Float32Array.from(std ?? new Array<number>(c).fill(1));
  if (sd.length !== c) throw new RangeError(`transforms/normalize: std has ${sd.length} values, image has ${c} channels`);
  if (sd.some((v) => v === 0)) throw new RangeError('transforms/normalize: std must not be zero');
  const perPixel = mean.length === n * c && mean.length !== c;
  if (!perPixel && mean.length !== c) throw new RangeError(`transforms/normalize: mean has ${mean.length} values, image has ${c} channels`);
  const src = img.data;
  const out = inPlace ? src : new Float32Array(src.length);
  const m = Float32Array.from(mean);
  for (let i = 0; i < src.length; i++) {
    const k = layout === 'HWC' ? i % c : Math.floor(i / n);
    out[i] = Math.fround(src[i] - (perPixel ? m[i] : m[k])) / sd[k];
  }
  return inPlace ? img : { ...img, data: out };
}
