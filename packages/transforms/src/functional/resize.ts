import { assertImage, type Image } from '../image';
import { crop } from './geometry';
import { f32 } from './util';
import { axisTaps, linearAxis, nearestIndex, type Taps } from './taps';

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

/** Non-antialiased bilinear: torch evaluates (x00·w0 + x01·w1)·h0 + (x10·w0 + x11·w1)·h1 in float32 with FMAs. */
function bilinear2d(img: Image, oh: number, ow: number, win: Window, out: Uint8Array): void {
  const { height: h, width: w, channels: c, data } = img;
  const ys = linearAxis(h, oh);
  const xs = linearAxis(w, ow);
  const outC = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length); // round half even + clamp on store
  for (let y = win.top; y < win.top + win.height; y++) {
    const r0 = ys.i0[y] * w * c;
    const r1 = ys.i1[y] * w * c;
    const h0 = ys.l0[y];
    const h1 = ys.l1[y];
    for (let x = win.left; x < win.left + win.width; x++) {
      const c0 = xs.i0[x] * c;
      const c1 = xs.i1[x] * c;
      const w0 = xs.l0[x];
      const w1 = xs.l1[x];
      const d = ((y - win.top) * win.width + x - win.left) * c;
      for (let k = 0; k < c; k++) {
        const t0 = f32(data[r0 + c0 + k] * w0 + f32(data[r0 + c1 + k] * w1));
        const t1 = f32(data[r1 + c0 + k] * w0 + f32(data[r1 + c1 + k] * w1));
        outC[d + k] = f32(t0 * h0 + f32(t1 * h1));
      }
    }
  }
}

/**
 * Horizontal pass over source rows [r0, r1) for output columns [x0, x1): `dst` holds (r1 − r0) rows of
 * (x1 − x0) · c float32 values.
 */
function horizontalPass(src: Uint8Array, w: number, c: number, t: Taps, r0: number, r1: number, x0: number, x1: number, dst: Float32Array): void {
  const n = t.maxTaps;
  const W = t.weights;
  const dw = (x1 - x0) * c;
  for (let y = r0; y < r1; y++) {
    const sRow = y * w * c;
    const dRow = (y - r0) * dw;
    if (c === 3) {
      for (let x = x0; x < x1; x++) {
        let p = sRow + t.start[x] * 3;
        const cnt = t.count[x];
        const wb = x * n;
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        // torch accumulates in float32 with fused multiply-adds: one rounding per tap
        for (let j = 0; j < cnt; j++, p += 3) {
          const wgt = W[wb + j];
          a0 = f32(a0 + src[p] * wgt);
          a1 = f32(a1 + src[p + 1] * wgt);
          a2 = f32(a2 + src[p + 2] * wgt);
        }
        const d = dRow + (x - x0) * 3;
        dst[d] = a0;
        dst[d + 1] = a1;
        dst[d + 2] = a2;
      }
    } else {
      for (let x = x0; x < x1; x++) {
        const cnt = t.count[x];
        const wb = x * n;
        for (let k = 0; k < c; k++) {
          let p = sRow + t.start[x] * c + k;
          let a = 0;
          for (let j = 0; j < cnt; j++, p += c) a = f32(a + src[p] * W[wb + j]);
          dst[dRow + (x - x0) * c + k] = a;
        }
      }
    }
  }
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
  return resampleWindow(img, oh, ow, { top: 0, left: 0, height: oh, width: ow }, mode, antialias);
}

/** A box of the (virtual) resized image. */
interface Window {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * `crop(resize(img, [oh, ow]), top, left, height, width)` without computing the pixels outside the box —
 * bit-identical to the two-step version (every output pixel depends only on its own taps). This is what makes
 * `RandomShortestSize` + `RandomCrop` cheap inside {@link Compose}.
 *
 * @example
 * ```ts
 * const patch = resizeWindow(createImage(375, 500, 3), [300, 400], 10, 20, 224, 224);
 * ```
 */
export function resizeWindow(
  img: Image,
  size: readonly [number, number],
  top: number,
  left: number,
  height: number,
  width: number,
  options: ResizeOptions = {},
): Image {
  assertImage(img, 'resizeWindow');
  const [oh, ow] = size;
  if (!(top >= 0 && left >= 0 && height >= 0 && width >= 0 && top + height <= oh && left + width <= ow)) {
    throw new RangeError(`transforms/resizeWindow: box (${top}, ${left}, ${height}, ${width}) is outside the ${oh}x${ow} output`);
  }
  const mode = options.interpolation ?? 'bilinear';
  const antialias = options.antialias ?? true;
  if (oh === img.height && ow === img.width) return crop(img, top, left, height, width);
  return resampleWindow(img, oh, ow, { top, left, height, width }, mode, antialias);
}

function resampleWindow(img: Image, oh: number, ow: number, win: Window, mode: Interpolation, antialias: boolean): Image {
  const { height: h, width: w, channels: c, data } = img;
  const out = new Uint8Array(win.height * win.width * c);
  // Storing into a Uint8ClampedArray view rounds half to even and clamps to [0, 255]: torch's round-then-cast.
  const outC = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
  const result = { data: out, height: win.height, width: win.width, channels: c };
  if (mode === 'nearest') {
    const ys = nearestIndex(h, oh);
    const xs = nearestIndex(w, ow);
    for (let y = 0; y < win.height; y++) {
      const sRow = ys[y + win.top] * w * c;
      const dRow = y * win.width * c;
      for (let x = 0; x < win.width; x++) {
        const s = sRow + xs[x + win.left] * c;
        const d = dRow + x * c;
        for (let k = 0; k < c; k++) out[d + k] = data[s + k];
      }
    }
    return result;
  }
  if (mode !== 'bilinear' && mode !== 'bicubic') {
    throw new RangeError(`transforms/resize: interpolation must be nearest, bilinear or bicubic, got ${String(mode)}`);
  }
  if (mode === 'bilinear' && !antialias) {
    bilinear2d(img, oh, ow, win, out);
    return result;
  }
  // Source rows needed by the window's output rows.
  const tv = oh === h ? null : axisTaps(h, oh, mode, antialias);
  let r0 = win.top;
  let r1 = win.top + win.height;
  if (tv) {
    r0 = h;
    r1 = 0;
    for (let y = win.top; y < win.top + win.height; y++) {
      r0 = Math.min(r0, tv.start[y]);
      r1 = Math.max(r1, tv.start[y] + tv.count[y]);
    }
    if (win.height === 0) r0 = r1 = 0;
  }
  // Horizontal pass (torch skips an axis whose size does not change); the intermediate is float32, as torch's.
  const row = win.width * c;
  const tmp = new Float32Array(Math.max(0, r1 - r0) * row);
  if (ow === w) {
    for (let y = r0; y < r1; y++) {
      const s = (y * w + win.left) * c;
      for (let i = 0; i < row; i++) tmp[(y - r0) * row + i] = data[s + i];
    }
  } else {
    horizontalPass(data, w, c, axisTaps(w, ow, mode, antialias), r0, r1, win.left, win.left + win.width, tmp);
  }
  if (!tv) {
    for (let i = 0; i < out.length; i++) outC[i] = tmp[i];
    return result;
  }
  // Vertical pass: one float32 accumulator per value, taps unrolled (torch: FMA chain in float32).
  for (let y = win.top; y < win.top + win.height; y++) {
    const cnt = tv.count[y];
    const wb = y * tv.maxTaps;
    const base = (tv.start[y] - r0) * row;
    const dRow = (y - win.top) * row;
    if (cnt === 3) {
      const w0 = tv.weights[wb];
      const w1 = tv.weights[wb + 1];
      const w2 = tv.weights[wb + 2];
      const b1 = base + row;
      const b2 = b1 + row;
      for (let i = 0; i < row; i++) {
        outC[dRow + i] = f32(f32(f32(tmp[base + i] * w0) + tmp[b1 + i] * w1) + tmp[b2 + i] * w2);
      }
    } else if (cnt === 2) {
      const w0 = tv.weights[wb];
      const w1 = tv.weights[wb + 1];
      const b1 = base + row;
      for (let i = 0; i < row; i++) outC[dRow + i] = f32(f32(tmp[base + i] * w0) + tmp[b1 + i] * w1);
    } else {
      for (let i = 0; i < row; i++) {
        let a = 0;
        for (let j = 0, p = base + i; j < cnt; j++, p += row) a = f32(a + tmp[p] * tv.weights[wb + j]);
        outC[dRow + i] = a;
      }
    }
  }
  return result;
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
