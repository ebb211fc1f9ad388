import { assertImage, type Image } from '../image';
import { crop } from './geometry';
import { f32, roundU8 } from './util';

/** Interpolation modes of {@link resize} (torchvision `InterpolationMode` values). */
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic';

/** Options of {@link resize}. */
export interface ResizeOptions {
  /** Default `'bilinear'`. */
  interpolation?: Interpolation;
  /** Longest edge bound when `size` is a single number (torchvision `max_size`). */
  maxSize?: number;
  /**
   * Antialias when downscaling with bilinear/bicubic. Default `true` (torchvision.transforms.v2 default; PIL
   * behaviour). `false` reproduces `F.resize(tensor, antialias=False)`.
   */
  antialias?: boolean;
}

/**
 * Output [height, width] of torchvision's resize: a single number sets the shorter edge (the longer one is
 * `int(size * long / short)`), optionally bounded by `maxSize`; [h, w] is used as is.
 *
 * @example
 * ```ts
 * resizedOutputSize(480, 640, 256); // [256, 341]
 * ```
 */
export function resizedOutputSize(height: number, width: number, size: number | readonly number[], maxSize?: number): [number, number] {
  if (typeof size !== 'number' && size.length === 2) {
    if (maxSize !== undefined) throw new RangeError('transforms/resize: maxSize is only allowed when size is a single number');
    return [size[0], size[1]];
  }
  const requested = typeof size === 'number' ? size : size[0];
  if (requested === undefined || !Number.isInteger(requested) || requested <= 0) {
    throw new RangeError(`transforms/resize: size must be a positive integer or [h, w], got ${String(size)}`);
  }
  const [short, long] = width <= height ? [width, height] : [height, width];
  let newShort = requested;
  let newLong = Math.trunc((requested * long) / short);
  if (maxSize !== undefined) {
    if (maxSize <= requested) {
      throw new RangeError(`transforms/resize: maxSize = ${maxSize} must be strictly greater than the requested size ${requested}`);
    }
    if (newLong > maxSize) {
      newShort = Math.trunc((maxSize * newShort) / newLong);
      newLong = maxSize;
    }
  }
  return width <= height ? [newLong, newShort] : [newShort, newLong];
}

interface Taps {
  /** first source index of each output */
  start: Int32Array;
  /** number of taps of each output */
  count: Int32Array;
  /** weights, `maxTaps` per output */
  weights: Float64Array;
  maxTaps: number;
}

function bilinearFilter(x: number): number {
  x = Math.abs(x);
  return x < 1 ? 1 - x : 0;
}

/** Keys cubic with a = -0.5, the PIL/torch antialias kernel. */
function cubicAAFilter(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** torch's `_compute_weights_aa`: a filter stretched by the scale when downscaling, renormalised per output. */
function antialiasTaps(inSize: number, outSize: number, kind: 'bilinear' | 'bicubic'): Taps {
  const interp = kind === 'bilinear' ? 2 : 4;
  const filter = kind === 'bilinear' ? bilinearFilter : cubicAAFilter;
  const scale = f32(inSize / outSize);
  const support = scale >= 1 ? interp * 0.5 * scale : interp * 0.5;
  const invScale = scale >= 1 ? 1 / scale : 1;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xsize = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let j = 0; j < xsize; j++) {
      const wgt = filter((j + xmin - center + 0.5) * invScale);
      weights[i * maxTaps + j] = wgt;
      total += wgt;
    }
    if (total !== 0) for (let j = 0; j < xsize; j++) weights[i * maxTaps + j] /= total;
    start[i] = xmin;
    count[i] = xsize;
  }
  return { start, count, weights, maxTaps };
}

/** torch's `upsample_bilinear2d(align_corners=False)` taps: two neighbours, source index clamped at 0. */
function linearTaps(inSize: number, outSize: number): Taps {
  const scale = f32(inSize / outSize);
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize).fill(2);
  const weights = new Float64Array(outSize * 2);
  for (let i = 0; i < outSize; i++) {
    let src = f32(f32(scale * (i + 0.5)) - 0.5);
    if (src < 0) src = 0;
    const i0 = Math.trunc(src);
    const lambda = f32(src - i0);
    start[i] = i0;
    if (i0 < inSize - 1) {
      weights[i * 2] = 1 - lambda;
      weights[i * 2 + 1] = lambda;
    } else {
      count[i] = 1;
      weights[i * 2] = 1; // both taps read the last pixel in torch; their weights sum to 1
    }
  }
  return { start, count, weights, maxTaps: 2 };
}

/** torch's `upsample_bicubic2d(align_corners=False)`: Keys cubic a = -0.75, border pixels replicated. */
function cubicTaps(inSize: number, outSize: number): { index: Int32Array; weights: Float64Array } {
  const A = -0.75;
  const scale = f32(inSize / outSize);
  const index = new Int32Array(outSize * 4);
  const weights = new Float64Array(outSize * 4);
  const c1 = (x: number): number => ((A + 2) * x - (A + 3)) * x * x + 1;
  const c2 = (x: number): number => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  for (let i = 0; i < outSize; i++) {
    const src = f32(f32(scale * (i + 0.5)) - 0.5);
    const i0 = Math.floor(src);
    const t = f32(src - i0);
    weights[i * 4] = c2(t + 1);
    weights[i * 4 + 1] = c1(t);
    weights[i * 4 + 2] = c1(1 - t);
    weights[i * 4 + 3] = c2(2 - t);
    for (let k = 0; k < 4; k++) index[i * 4 + k] = Math.min(Math.max(i0 - 1 + k, 0), inSize - 1);
  }
  return { index, weights };
}

/** Expand compact taps to 4-index form for the shared separable kernel. */
function tapsToIndexed(t: Taps, inSize: number): { index: Int32Array; weights: Float64Array; n: number } {
  const n = t.maxTaps;
  const out = t.start.length;
  const index = new Int32Array(out * n);
  const weights = new Float64Array(out * n);
  for (let i = 0; i < out; i++) {
    for (let j = 0; j < n; j++) {
      index[i * n + j] = Math.min(t.start[i] + Math.min(j, Math.max(t.count[i] - 1, 0)), inSize - 1);
      weights[i * n + j] = j < t.count[i] ? t.weights[i * n + j] : 0;
    }
  }
  return { index, weights, n };
}

function axisTaps(inSize: number, outSize: number, mode: 'bilinear' | 'bicubic', antialias: boolean) {
  if (antialias) return tapsToIndexed(antialiasTaps(inSize, outSize, mode), inSize);
  if (mode === 'bilinear') return tapsToIndexed(linearTaps(inSize, outSize), inSize);
  const { index, weights } = cubicTaps(inSize, outSize);
  return { index, weights, n: 4 };
}

/** torch's `nearest` (legacy, not `nearest-exact`): src = min(floor(dst * float32(in / out)), in - 1). */
function nearestIndex(inSize: number, outSize: number): Int32Array {
  const idx = new Int32Array(outSize);
  const scale = f32(inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    if (outSize === inSize) idx[i] = i;
    else if (outSize === 2 * inSize) idx[i] = i >> 1;
    else idx[i] = Math.min(Math.floor(f32(i * scale)), inSize - 1);
  }
  return idx;
}

/**
 * Resize (torchvision `resize` on uint8 tensors): `size` is [h, w], or one number for the shorter edge.
 * Bilinear/bicubic with `antialias` (default, as v2) use torch's separable antialias kernels (PIL's filters),
 * horizontal pass first; without it, torch's `interpolate(align_corners=False)`. Results are rounded half to
 * even and clamped, as torchvision casts back to uint8. Nearest is torch's legacy `nearest`.
 *
 * @example
 * ```ts
 * const small = resize(createImage(480, 640, 3), 256);            // shorter edge 256 -> 256x341
 * const exact = resize(createImage(480, 640, 3), [224, 224], { interpolation: 'bicubic' });
 * ```
 */
export function resize(img: Image, size: number | readonly number[], options: ResizeOptions = {}): Image {
  assertImage(img, 'resize');
  const mode = options.interpolation ?? 'bilinear';
  const antialias = options.antialias ?? true;
  const [oh, ow] = resizedOutputSize(img.height, img.width, size, options.maxSize);
  if (!(oh > 0 && ow > 0 && Number.isInteger(oh) && Number.isInteger(ow))) {
    throw new RangeError(`transforms/resize: output size must be positive integers, got ${oh}x${ow}`);
  }
  if (oh === img.height && ow === img.width) return { ...img, data: img.data.slice() };
  const { height: h, width: w, channels: c, data } = img;
  const out = new Uint8Array(oh * ow * c);
  if (mode === 'nearest') {
    const ys = nearestIndex(h, oh);
    const xs = nearestIndex(w, ow);
    for (let y = 0; y < oh; y++) {
      const sRow = ys[y] * w * c;
      const dRow = y * ow * c;
      for (let x = 0; x < ow; x++) {
        const s = sRow + xs[x] * c;
        const d = dRow + x * c;
        for (let k = 0; k < c; k++) out[d + k] = data[s + k];
      }
    }
    return { data: out, height: oh, width: ow, channels: c };
  }
  if (mode !== 'bilinear' && mode !== 'bicubic') {
    throw new RangeError(`transforms/resize: interpolation must be nearest, bilinear or bicubic, got ${String(mode)}`);
  }
  // torch skips an axis whose size does not change (antialias path); the other paths are identity there too.
  const sameW = ow === w;
  const sameH = oh === h;
  // Horizontal pass into a float buffer h x ow x c.
  let tmp: Float64Array;
  if (sameW) {
    tmp = Float64Array.from(data);
  } else {
    const t = axisTaps(w, ow, mode, antialias);
    tmp = new Float64Array(h * ow * c);
    for (let y = 0; y < h; y++) {
      const sRow = y * w * c;
      const dRow = y * ow * c;
      for (let x = 0; x < ow; x++) {
        for (let k = 0; k < c; k++) {
          let acc = 0;
          for (let j = 0; j < t.n; j++) {
            const wgt = t.weights[x * t.n + j];
            if (wgt !== 0) acc += data[sRow + t.index[x * t.n + j] * c + k] * wgt;
          }
          tmp[dRow + x * c + k] = f32(acc);
        }
      }
    }
  }
  if (sameH) {
    for (let i = 0; i < out.length; i++) out[i] = roundU8(tmp[i]);
    return { data: out, height: oh, width: ow, channels: c };
  }
  const t = axisTaps(h, oh, mode, antialias);
  const row = ow * c;
  for (let y = 0; y < oh; y++) {
    const dRow = y * row;
    for (let i = 0; i < row; i++) {
      let acc = 0;
      for (let j = 0; j < t.n; j++) {
        const wgt = t.weights[y * t.n + j];
        if (wgt !== 0) acc += tmp[t.index[y * t.n + j] * row + i] * wgt;
      }
      out[dRow + i] = roundU8(f32(acc));
    }
  }
  return { data: out, height: oh, width: ow, channels: c };
}

/**
 * Crop then resize (torchvision `resized_crop`).
 *
 * @example
 * ```ts
 * const out = resizedCrop(createImage(100, 100, 3), 10, 10, 50, 60, [32, 32]);
 * ```
 */
export function resizedCrop(
  img: Image,
  top: number,
  left: number,
  height: number,
  width: number,
  size: number | readonly number[],
  options: ResizeOptions = {},
): Image {
  return resize(crop(img, top, left, height, width), size, options);
}
