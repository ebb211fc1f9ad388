import { assertImage, type Image } from '../image';
import { f32, roundU8, truncU8 } from './util';

function like(img: Image, data: Uint8Array, channels = img.channels): Image {
  return { data, height: img.height, width: img.width, channels };
}

function checkFactor(v: number, name: string, where: string): void {
  if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`transforms/${where}: ${name} must be a finite number >= 0, got ${v}`);
}

/** torch `_blend` for uint8: (r·a + (1−r)·b) in float32, clamped, truncated. `b` is one value or an image. */
function blend(img: Image, other: number | Uint8Array, otherChannels: number, ratio: number): Image {
  const r = f32(ratio);
  const q = f32(1 - ratio);
  const { data, channels: c } = img;
  const out = new Uint8Array(data.length);
  if (typeof other === 'number') {
    const bo = f32(q * other);
    for (let i = 0; i < data.length; i++) out[i] = truncU8(f32(f32(r * data[i]) + bo));
  } else if (otherChannels === c) {
    for (let i = 0; i < data.length; i++) out[i] = truncU8(f32(f32(r * data[i]) + f32(q * other[i])));
  } else {
    // grayscale (1 channel) broadcast over RGB
    for (let p = 0, i = 0; p < other.length; p++) {
      const bo = f32(q * other[p]);
      for (let k = 0; k < c; k++, i++) out[i] = truncU8(f32(f32(r * data[i]) + bo));
    }
  }
  return like(img, out);
}

/** The luma plane (torchvision weights 0.2989, 0.587, 0.114; float32, truncated), one byte per pixel. */
function grayPlane(img: Image): Uint8Array {
  const { data } = img;
  const n = img.height * img.width;
  if (img.channels === 1) return data.slice();
  const g = new Uint8Array(n);
  const wr = f32(0.2989);
  const wg = f32(0.587);
  const wb = f32(0.114);
  for (let p = 0, i = 0; p < n; p++, i += 3) {
    g[p] = truncU8(f32(f32(f32(wr * data[i]) + f32(wg * data[i + 1])) + f32(wb * data[i + 2])));
  }
  return g;
}

/**
 * Grayscale with 1 or 3 output channels (torchvision `rgb_to_grayscale`: L = 0.2989 R + 0.587 G + 0.114 B,
 * truncated). A 1-channel input stays 1-channel whatever `numOutputChannels`, as in torchvision.
 *
 * @example
 * ```ts
 * const g = rgbToGrayscale(createImage(8, 8, 3));       // 1 channel
 * const g3 = rgbToGrayscale(createImage(8, 8, 3), 3);   // 3 equal channels
 * ```
 */
export function rgbToGrayscale(img: Image, numOutputChannels: 1 | 3 = 1): Image {
  assertImage(img, 'rgbToGrayscale');
  if (numOutputChannels !== 1 && numOutputChannels !== 3) {
    throw new RangeError(`transforms/rgbToGrayscale: numOutputChannels must be 1 or 3, got ${numOutputChannels}`);
  }
  const g = grayPlane(img);
  // torchvision returns a 1-channel image for 1-channel input even when 3 channels are asked for.
  if (numOutputChannels === 1 || img.channels === 1) return like(img, g, 1);
  const out = new Uint8Array(g.length * 3);
  for (let p = 0; p < g.length; p++) out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = g[p];
  return like(img, out, 3);
}

/**
 * Multiply brightness by `factor` (0 gives black, 1 the original). torchvision `adjust_brightness`.
 *
 * @example
 * ```ts
 * const brighter = adjustBrightness(createImage(8, 8, 3, 100), 1.5); // 150s
 * ```
 */
export function adjustBrightness(img: Image, factor: number): Image {
  assertImage(img, 'adjustBrightness');
  checkFactor(factor, 'brightness factor', 'adjustBrightness');
  return blend(img, 0, img.channels, factor);
}

/**
 * Blend with the mean gray level (0 gives a uniform gray image). torchvision `adjust_contrast`.
 *
 * @example
 * ```ts
 * const flat = adjustContrast(createImage(8, 8, 3, 100), 0.5);
 * ```
 */
export function adjustContrast(img: Image, factor: number): Image {
  assertImage(img, 'adjustContrast');
  checkFactor(factor, 'contrast factor', 'adjustContrast');
  const g = grayPlane(img);
  let sum = 0;
  for (let i = 0; i < g.length; i++) sum += g[i];
  const mean = f32(g.length ? sum / g.length : 0);
  return blend(img, mean, img.channels, factor);
}

/**
 * Blend with the grayscale image (0 gives grayscale, 1 the original). torchvision `adjust_saturation`;
 * grayscale images are returned unchanged, as in torchvision.
 *
 * @example
 * ```ts
 * const vivid = adjustSaturation(createImage(8, 8, 3), 1.8);
 * ```
 */
export function adjustSaturation(img: Image, factor: number): Image {
  assertImage(img, 'adjustSaturation');
  checkFactor(factor, 'saturation factor', 'adjustSaturation');
  if (img.channels === 1) return like(img, img.data.slice());
  return blend(img, grayPlane(img), 1, factor);
}

/**
 * Blend with a 3×3 smoothed image (kernel [1 1 1; 1 5 1; 1 1 1] / 13, borders untouched): 0 blurs, 1 is the
 * original, 2 sharpens. torchvision `adjust_sharpness`.
 *
 * @example
 * ```ts
 * const sharp = adjustSharpness(createImage(8, 8, 3), 2);
 * ```
 */
export function adjustSharpness(img: Image, factor: number): Image {
  assertImage(img, 'adjustSharpness');
  checkFactor(factor, 'sharpness factor', 'adjustSharpness');
  const { height: h, width: w, channels: c, data } = img;
  if (w <= 2 || h <= 2) return like(img, data.slice());
  const blurred = data.slice();
  const k1 = f32(1 / 13);
  const k5 = f32(5 / 13);
  const row = w * c;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      for (let k = 0; k < c; k++) {
        const i = y * row + x * c + k;
        const ring =
          data[i - row - c] + data[i - row] + data[i - row + c] + data[i - c] + data[i + c] + data[i + row - c] + data[i + row] + data[i + row + c];
        blurred[i] = roundU8(f32(ring * k1 + data[i] * k5));
      }
    }
  }
  return blend(img, blurred, c, factor);
}

/**
 * Shift the hue by `factor` turns, in [-0.5, 0.5] (torchvision `adjust_hue`: float32 HSV round trip, truncated).
 * Grayscale images are returned unchanged.
 *
 * @example
 * ```ts
 * const shifted = adjustHue(createImage(8, 8, 3), 0.1);
 * ```
 */
export function adjustHue(img: Image, factor: number): Image {
  assertImage(img, 'adjustHue');
  if (!(factor >= -0.5 && factor <= 0.5)) throw new RangeError(`transforms/adjustHue: factor must be in [-0.5, 0.5], got ${factor}`);
  const { data } = img;
  if (img.channels === 1) return like(img, data.slice());
  const out = new Uint8Array(data.length);
  const hf = f32(factor);
  for (let i = 0; i < data.length; i += 3) {
    const r = f32(data[i] / 255);
    const g = f32(data[i + 1] / 255);
    const b = f32(data[i + 2] / 255);
    const maxc = Math.max(r, g, b);
    const minc = Math.min(r, g, b);
    const eq = maxc === minc;
    const cr = f32(maxc - minc);
    const s = f32(cr / (eq ? 1 : maxc));
    const div = eq ? 1 : cr;
    const rc = f32(f32(maxc - r) / div);
    const gc = f32(f32(maxc - g) / div);
    const bc = f32(f32(maxc - b) / div);
    let hh: number;
    if (maxc === r) hh = f32(bc - gc);
    else if (maxc === g) hh = f32(f32(2 + rc) - bc);
    else hh = f32(f32(4 + gc) - rc);
    hh = f32(f32(hh / 6) + 1);
    hh = f32(hh - Math.trunc(hh)); // fmod(x, 1) for x >= 0
    let hAdj = f32(hh + hf);
    hAdj = f32(hAdj - Math.floor(hAdj)); // Python-style remainder by 1
    const v = maxc;
    const h6 = f32(hAdj * 6);
    const fi = Math.floor(h6);
    const f = f32(h6 - fi);
    const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
    const p = clamp01(f32(v * f32(1 - s)));
    const q = clamp01(f32(v * f32(1 - f32(s * f))));
    const t = clamp01(f32(v * f32(1 - f32(s * f32(1 - f)))));
    let ro: number;
    let go: number;
    let bo: number;
    switch (((fi % 6) + 6) % 6) {
      case 0: [ro, go, bo] = [v, t, p]; break;
      case 1: [ro, go, bo] = [q, v, p]; break;
      case 2: [ro, go, bo] = [p, v, t]; break;
      case 3: [ro, go, bo] = [p, q, v]; break;
      case 4: [ro, go, bo] = [t, p, v]; break;
      default: [ro, go, bo] = [v, p, q]; break;
    }
    out[i] = truncU8(f32(ro * 255));
    out[i + 1] = truncU8(f32(go * 255));
    out[i + 2] = truncU8(f32(bo * 255));
  }
  return like(img, out);
}

/**
 * Keep the `bits` most significant bits of each channel (torchvision `posterize`). Exact.
 *
 * @example
 * ```ts
 * const p = posterize(createImage(8, 8, 3, 255), 4); // 240s
 * ```
 */
export function posterize(img: Image, bits: number): Image {
  assertImage(img, 'posterize');
  if (!Number.isInteger(bits) || bits < 0 || bits > 8) throw new RangeError(`transforms/posterize: bits must be an integer in [0, 8], got ${bits}`);
  const mask = -(1 << (8 - bits)) & 0xff;
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i] & mask;
  return like(img, out);
}

/**
 * Invert every value `>= threshold` (torchvision `solarize`). Exact.
 *
 * @example
 * ```ts
 * const s = solarize(createImage(8, 8, 3, 200), 128); // 55s
 * ```
 */
export function solarize(img: Image, threshold: number): Image {
  assertImage(img, 'solarize');
  if (!(threshold <= 255)) throw new RangeError(`transforms/solarize: threshold must be <= 255, got ${threshold}`);
  const th = f32(threshold);
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = img.data[i];
    out[i] = v >= th ? 255 - v : v;
  }
  return like(img, out);
}

/**
 * 255 − value (torchvision `invert`). Exact.
 *
 * @example
 * ```ts
 * const neg = invert(createImage(8, 8, 3));  // all 255
 * ```
 */
export function invert(img: Image): Image {
  assertImage(img, 'invert');
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 255 - img.data[i];
  return like(img, out);
}

/**
 * Stretch each channel to [0, 255] (torchvision `autocontrast`: per-channel min/max, float32, truncated);
 * constant channels are unchanged.
 *
 * @example
 * ```ts
 * const stretched = autocontrast(createImage(8, 8, 3, 7));
 * ```
 */
export function autocontrast(img: Image): Image {
  assertImage(img, 'autocontrast');
  const { data, channels: c } = img;
  const out = new Uint8Array(data.length);
  for (let k = 0; k < c; k++) {
    let lo = 255;
    let hi = 0;
    for (let i = k; i < data.length; i += c) {
      const v = data[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi <= lo) {
      for (let i = k; i < data.length; i += c) out[i] = data[i];
      continue;
    }
    // torch evaluates `255 / t` as `255 * reciprocal(t)` in float32
    const scale = f32(255 * f32(1 / (hi - lo)));
    for (let i = k; i < data.length; i += c) out[i] = truncU8(f32((data[i] - lo) * scale));
  }
  return like(img, out);
}

/**
 * Histogram equalisation per channel (torchvision `equalize`, PIL's algorithm). Exact.
 *
 * @example
 * ```ts
 * const eq = equalize(createImage(8, 8, 3));
 * ```
 */
export function equalize(img: Image): Image {
  assertImage(img, 'equalize');
  const { data, channels: c } = img;
  const out = new Uint8Array(data.length);
  const hist = new Float64Array(256);
  const lut = new Uint8Array(256);
  for (let k = 0; k < c; k++) {
    hist.fill(0);
    for (let i = k; i < data.length; i += c) hist[data[i]]++;
    // step = (sum of all non-zero bins but the last non-zero one) // 255
    let last = -1;
    let total = 0;
    for (let v = 0; v < 256; v++) {
      if (hist[v] !== 0) {
        last = v;
        total += hist[v];
      }
    }
    const step = last < 0 ? 0 : Math.floor((total - hist[last]) / 255);
    if (step === 0) {
      for (let i = k; i < data.length; i += c) out[i] = data[i];
      continue;
    }
    const half = Math.floor(step / 2);
    let cum = 0;
    for (let v = 0; v < 256; v++) {
      // lut is shifted by one: entry v uses the cumulative count of bins < v
      lut[v] = Math.min(255, Math.floor((cum + half) / step));
      cum += hist[v];
    }
    for (let i = k; i < data.length; i += c) out[i] = lut[data[i]];
  }
  return like(img, out);
}
