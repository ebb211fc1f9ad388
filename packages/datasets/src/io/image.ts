import sharp from 'sharp';
import { DatasetError } from '../errors';
import type { ImageU8 } from '../types';

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /**
   * Resize so the shorter side is this long while decoding (torchvision `Resize(int)` sizing: the
   * longer side becomes `floor(size * long / short)`). libvips then decodes JPEGs at 1/2, 1/4 or 1/8
   * scale when it can ("shrink-on-load"), which is what makes ImageNet decoding fast. Use it when the
   * first transform is `Resize(size)`; the transform then finds the image already at size.
   */
  resizeShorterTo?: number;
}

/**
 * Output size of torchvision's `Resize(size)` for an `h`×`w` image: shorter side to `size`.
 *
 * @example
 * ```ts
 * shorterSideSize(375, 500, 256); // [256, 341]
 * ```
 */
export function shorterSideSize(h: number, w: number, size: number): [number, number] {
  if (h <= w) return [size, Math.floor((size * w) / h)];
  return [Math.floor((size * h) / w), size];
}

/**
 * Decode a JPEG/PNG/WebP/... file with sharp (libvips) to an RGB uint8 HWC image, as PIL's
 * `Image.open(f).convert('RGB')` does: alpha dropped, grayscale and CMYK converted to RGB, EXIF
 * orientation ignored (torchvision does not apply it either). Errors name the file.
 *
 * @example
 * ```ts
 * const img = await decodeImage('train/n01440764/n01440764_10026.JPEG', { resizeShorterTo: 256 });
 * ```
 */
export async function decodeImage(file: string, options: DecodeOptions = {}): Promise<ImageU8> {
  try {
    let pipeline = sharp(file, { failOn: 'error' });
    if (options.resizeShorterTo !== undefined) {
      const meta = await pipeline.metadata();
      if (!meta.width || !meta.height) throw new Error('image has no dimensions');
      const [h, w] = shorterSideSize(meta.height, meta.width, options.resizeShorterTo);
      if (h !== meta.height || w !== meta.width) pipeline = pipeline.resize(w, h, { kernel: 'linear', fit: 'fill' });
    }
    const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const { width, height, channels } = info;
    if (channels === 3) return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), height, width, channels: 3 };
    if (channels === 1) {
      const rgb = new Uint8Array(width * height * 3);
      for (let p = 0; p < width * height; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = data[p];
      return { data: rgb, height, width, channels: 3 };
    }
    throw new Error(`decoded to ${channels} channels`);
  } catch (e) {
    throw new DatasetError(file, `cannot decode image: ${(e as Error).message}`);
  }
}
