import { assertImage, type Image } from '../image';
import { fillPerChannel, pairSize } from './util';

/** How {@link pad} fills the border (torchvision's `padding_mode`). */
export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

/** Options of {@link pad}. */
export interface PadOptions {
  /** Value(s) for `'constant'` mode: one number or one per channel. Default 0. */
  fill?: number | readonly number[];
  /** Default `'constant'`. */
  paddingMode?: PaddingMode;
}

/**
 * Mirror the image left-right (torchvision `hflip`). Exact.
 *
 * @example
 * ```ts
 * import { createImage, hflip } from '@residual/transforms';
 * const out = hflip(createImage(32, 32, 3));
 * ```
 */
export function hflip(img: Image): Image {
  assertImage(img, 'hflip');
  const { height: h, width: w, channels: c, data } = img;
  const out = new Uint8Array(data.length);
  const row = w * c;
  if (c === 3) {
    for (let y = 0; y < h; y++) {
      let s = y * row;
      let d = s + row - 3;
      for (let x = 0; x < w; x++, s += 3, d -= 3) {
        out[d] = data[s];
        out[d + 1] = data[s + 1];
        out[d + 2] = data[s + 2];
      }
    }
  } else {
    for (let y = 0; y < h; y++) {
      const base = y * row;
      for (let x = 0; x < w; x++) out[base + w - 1 - x] = data[base + x];
    }
  }
  return { data: out, height: h, width: w, channels: c };
}

/**
 * Mirror the image top-bottom (torchvision `vflip`). Exact.
 *
 * @example
 * ```ts
 * const out = vflip(createImage(32, 32, 3));
 * ```
 */
export function vflip(img: Image): Image {
  assertImage(img, 'vflip');
  const { height: h, width: w, channels: c, data } = img;
  const out = new Uint8Array(data.length);
  const row = w * c;
  for (let y = 0; y < h; y++) out.set(data.subarray(y * row, (y + 1) * row), (h - 1 - y) * row);
  return { data: out, height: h, width: w, channels: c };
}

/** Source index for output coordinate `i` (may be outside [0, n)) under a padding mode; -1 means "fill". */
function sourceIndex(i: number, n: number, mode: PaddingMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'constant':
      return -1;
    case 'edge':
      return i < 0 ? 0 : n - 1;
    case 'reflect': {
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      let k = ((i % period) + period) % period;
      if (k >= n) k = period - k;
      return k;
    }
    case 'symmetric': {
      const period = 2 * n;
      let k = ((i % period) + period) % period;
      if (k >= n) k = period - 1 - k;
      return k;
    }
  }
}

/**
 * Output of size outH × outW whose pixel (y, x) is source pixel (y + y0, x + x0) mapped by `mode`.
 * Shared by pad, crop and RandomCrop so that "pad then crop" never materialises the padded image.
 */
export function windowWithBorder(
  img: Image,
  y0: number,
  x0: number,
  outH: number,
  outW: number,
  mode: PaddingMode,
  fill: number | readonly number[] | undefined,
  where: string,
): Image {
  const { height: h, width: w, channels: c, data } = img;
  const out = new Uint8Array(outH * outW * c);
  const fills = fillPerChannel(fill, c, where);
  const outRow = outW * c;
  // Columns that fall inside the source form one contiguous run [xa, xb).
  const xa = Math.min(outW, Math.max(0, -x0));
  const xb = Math.max(xa, Math.min(outW, w - x0));
  const xMap = new Int32Array(outW);
  for (let x = 0; x < outW; x++) xMap[x] = sourceIndex(x + x0, w, mode);
  let fillRow: Uint8Array | null = null;
  for (let y = 0; y < outH; y++) {
    const sy = sourceIndex(y + y0, h, mode);
    const dRow = y * outRow;
    if (sy < 0) {
      if (fillRow === null) {
        fillRow = new Uint8Array(outRow);
        for (let x = 0; x < outW; x++) for (let k = 0; k < c; k++) fillRow[x * c + k] = fills[k];
      }
      out.set(fillRow, dRow);
      continue;
    }
    const sRow = sy * w * c;
    if (xb > xa) out.set(data.subarray(sRow + (xa + x0) * c, sRow + (xb + x0) * c), dRow + xa * c);
    for (let x = 0; x < outW; x++) {
      if (x === xa && xb > xa) {
        x = xb - 1;
        continue;
      }
      const sx = xMap[x];
      const d = dRow + x * c;
      if (sx < 0) for (let k = 0; k < c; k++) out[d + k] = fills[k];
      else for (let k = 0; k < c; k++) out[d + k] = data[sRow + sx * c + k];
    }
  }
  return { data: out, height: outH, width: outW, channels: c };
}

/**
 * Crop the box (top, left, height, width) (torchvision `crop`). Parts of the box outside the image are zero,
 * as in torchvision. Exact.
 *
 * @example
 * ```ts
 * const patch = crop(createImage(40, 40, 3), 4, 4, 32, 32);
 * ```
 */
export function crop(img: Image, top: number, left: number, height: number, width: number): Image {
  assertImage(img, 'crop');
  if (![top, left, height, width].every(Number.isInteger) || height < 0 || width < 0) {
    throw new RangeError(`transforms/crop: top, left, height, width must be integers (size >= 0), got ${top}, ${left}, ${height}, ${width}`);
  }
  return windowWithBorder(img, top, left, height, width, 'constant', 0, 'crop');
}

/**
 * Crop the centre (torchvision `center_crop`): pads with zeros first when the crop is larger than the image;
 * the offset is `round((H - h) / 2)` (Python's round-half-even).
 *
 * @example
 * ```ts
 * const c = centerCrop(createImage(256, 341, 3), 224);
 * ```
 */
export function centerCrop(img: Image, size: number | readonly number[]): Image {
  assertImage(img, 'centerCrop');
  const [ch, cw] = pairSize(size, 'centerCrop');
  let src = img;
  if (cw > src.width || ch > src.height) {
    const l = cw > src.width ? (cw - src.width) >> 1 : 0;
    const t = ch > src.height ? (ch - src.height) >> 1 : 0;
    const r = cw > src.width ? (cw - src.width + 1) >> 1 : 0;
    const b = ch > src.height ? (ch - src.height + 1) >> 1 : 0;
    src = pad(src, [l, t, r, b]);
    if (src.width === cw && src.height === ch) return src;
  }
  const top = pyRound((src.height - ch) / 2);
  const left = pyRound((src.width - cw) / 2);
  return crop(src, top, left, ch, cw);
}

/** Python 3 `round(x)` for x = k/2: ties go to the even integer. */
function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * [left, top, right, bottom] from torchvision's padding forms: n, [n], [lr, tb], [l, t, r, b].
 *
 * @example
 * ```ts
 * parsePadding([2, 3]); // [2, 3, 2, 3]
 * ```
 */
export function parsePadding(padding: number | readonly number[]): [number, number, number, number] {
  let p: [number, number, number, number];
  if (typeof padding === 'number') p = [padding, padding, padding, padding];
  else if (padding.length === 1) p = [padding[0], padding[0], padding[0], padding[0]];
  else if (padding.length === 2) p = [padding[0], padding[1], padding[0], padding[1]];
  else if (padding.length === 4) p = [padding[0], padding[1], padding[2], padding[3]];
  else throw new RangeError(`transforms/pad: padding must be a number or 1, 2 or 4 numbers, got ${padding.length}`);
  if (!p.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new RangeError(`transforms/pad: padding must be non-negative integers, got [${p.join(', ')}]`);
  }
  return p;
}

/**
 * Pad the borders (torchvision `pad`): `padding` is n, [n], [left/right, top/bottom] or
 * [left, top, right, bottom]; modes `'constant'` (fill), `'edge'`, `'reflect'` (mirror without repeating the
 * edge pixel) and `'symmetric'` (mirror repeating it). Exact.
 *
 * @example
 * ```ts
 * const padded = pad(createImage(32, 32, 3), 4);                       // 40x40, zeros
 * const mirrored = pad(createImage(32, 32, 3), [2, 3], { paddingMode: 'reflect' });
 * ```
 */
export function pad(img: Image, padding: number | readonly number[], options: PadOptions = {}): Image {
  assertImage(img, 'pad');
  const [l, t, r, b] = parsePadding(padding);
  const mode = options.paddingMode ?? 'constant';
  if (!['constant', 'edge', 'reflect', 'symmetric'].includes(mode)) {
    throw new RangeError(`transforms/pad: paddingMode must be constant, edge, reflect or symmetric, got ${mode}`);
  }
  if ((mode === 'edge' || mode === 'reflect' || mode === 'symmetric') && (img.width === 0 || img.height === 0)) {
    throw new RangeError(`transforms/pad: cannot ${mode}-pad an empty image`);
  }
  return windowWithBorder(img, -t, -l, img.height + t + b, img.width + l + r, mode, options.fill ?? 0, 'pad');
}

/**
 * The four corner crops and the centre crop, in torchvision's order
 * `[topLeft, topRight, bottomLeft, bottomRight, center]` (torchvision `five_crop`).
 *
 * @example
 * ```ts
 * const [tl, tr, bl, br, center] = fiveCrop(createImage(256, 256, 3), 224);
 * ```
 */
export function fiveCrop(img: Image, size: number | readonly number[]): Image[] {
  assertImage(img, 'fiveCrop');
  const [ch, cw] = pairSize(size, 'fiveCrop');
  const { height: h, width: w } = img;
  if (cw > w || ch > h) {
    throw new RangeError(`transforms/fiveCrop: requested crop size [${ch}, ${cw}] is bigger than input size [${h}, ${w}]`);
  }
  return [
    crop(img, 0, 0, ch, cw),
    crop(img, 0, w - cw, ch, cw),
    crop(img, h - ch, 0, ch, cw),
    crop(img, h - ch, w - cw, ch, cw),
    centerCrop(img, [ch, cw]),
  ];
}

/**
 * The five crops of the image followed by the five crops of its mirror (horizontal by default, vertical with
 * `verticalFlip`), torchvision `ten_crop` order. Note the mirrored "top-left" crop is the mirror image's top-left,
 * i.e. it shows the original's top-right corner, exactly as torchvision.
 *
 * @example
 * ```ts
 * const crops = tenCrop(createImage(256, 256, 3), 224); // 10 images
 * ```
 */
export function tenCrop(img: Image, size: number | readonly number[], verticalFlip = false): Image[] {
  const first = fiveCrop(img, size);
  const flipped = verticalFlip ? vflip(img) : hflip(img);
  return first.concat(fiveCrop(flipped, size));
}

/**
 * Overwrite the box (top, left, height, width) with `value` (one number, one per channel, or a full
 * h × w × c patch) — torchvision `erase`. Returns a copy unless `inPlace`.
 *
 * @example
 * ```ts
 * const out = erase(createImage(32, 32, 3), 4, 4, 8, 8, 0);
 * ```
 */
export function erase(
  img: Image,
  top: number,
  left: number,
  height: number,
  width: number,
  value: number | readonly number[] | Uint8Array,
  inPlace = false,
): Image {
  assertImage(img, 'erase');
  const { width: w, channels: c } = img;
  if (top < 0 || left < 0 || top + height > img.height || left + width > w) {
    throw new RangeError(`transforms/erase: box (${top}, ${left}, ${height}, ${width}) outside ${img.height}x${w}`);
  }
  const out = inPlace ? img : { ...img, data: img.data.slice() };
  const patch = value instanceof Uint8Array ? value : null;
  if (patch && patch.length !== height * width * c) {
    throw new RangeError(`transforms/erase: patch has ${patch.length} bytes, box needs ${height * width * c}`);
  }
  const fills = patch ? [] : fillPerChannel(value as number | number[], c, 'erase');
  for (let y = 0; y < height; y++) {
    const d0 = ((top + y) * w + left) * c;
    if (patch) out.data.set(patch.subarray(y * width * c, (y + 1) * width * c), d0);
    else for (let x = 0; x < width; x++) for (let k = 0; k < c; k++) out.data[d0 + x * c + k] = fills[k];
  }
  return out;
}
