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

/** PIL's CMYK → RGB (`ImagingConvert` cmyk2rgb): r = (255 − k) − c·(255 − k)/255, rounded as PIL does. */
function cmykToRgb(cmyk: Uint8Array, pixels: number): Uint8Array {
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const nk = 255 - cmyk[4 * p + 3];
    for (let ch = 0; ch < 3; ch++) {
      const t = cmyk[4 * p + ch] * nk + 128;
      rgb[3 * p + ch] = nk - ((t + (t >> 8)) >> 8);
    }
  }
  return rgb;
}

/**
 * Decode a JPEG/PNG/WebP/TIFF/... file with sharp (libvips) to an RGB uint8 HWC image equal to PIL's
 * `Image.open(f).convert('RGB')`: alpha dropped, grayscale expanded, EXIF orientation ignored
 * (torchvision does not apply it either; a tag other than 1 is reported as `exifOrientation`). This is
 * the one decode path of the library: training, `residual eval` and `residual predict` all see an
 * image as stored, exactly as a torchvision model trained on it did. Where libvips' defaults differ from PIL, PIL's rules are
 * applied: CMYK (JPEG, TIFF) converts with PIL's plain formula rather than through an ICC profile,
 * and a 16-bit grayscale image is clipped to 255 (PIL's mode 'I' → 'RGB') rather than scaled. Tested
 * against Pillow on such files (tools/datasets/make_pil_decode_fixtures.py). Errors name the file.
 *
 * @example
 * ```ts
 * const img = await decodeImage('train/n01440764/n01440764_10026.JPEG', { resizeShorterTo: 256 });
 * ```
 */
export async function decodeImage(file: string, options: DecodeOptions = {}): Promise<ImageU8> {
  const orientation: { value?: number } = {};
  const img = await decodePixels(file, options, orientation);
  if (orientation.value !== undefined && orientation.value !== 1) img.exifOrientation = orientation.value;
  return img;
}

async function decodePixels(file: string, options: DecodeOptions, orientation: { value?: number }): Promise<ImageU8> {
  try {
    let pipeline = sharp(file, { failOn: 'error' });
    const meta = await pipeline.metadata();
    orientation.value = meta.orientation;
    // Keep the stored values (no ICC conversion) for the cases PIL converts by formula.
    const pil = meta.space === 'cmyk' ? 'cmyk' : meta.space === 'grey16' ? 'grey16' : null;
    if (pil) pipeline = pipeline.pipelineColourspace(pil);
    if (options.resizeShorterTo !== undefined) {
      if (!meta.width || !meta.height) throw new Error('image has no dimensions');
      const [h, w] = shorterSideSize(meta.height, meta.width, options.resizeShorterTo);
      if (h !== meta.height || w !== meta.width) pipeline = pipeline.resize(w, h, { kernel: 'linear', fit: 'fill' });
    }
    if (pil === 'cmyk') {
      const { data, info } = await pipeline.toColourspace('cmyk').raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== 4) throw new Error(`CMYK image decoded to ${info.channels} channels`);
      return { data: cmykToRgb(data, info.width * info.height), height: info.height, width: info.width, channels: 3 };
    }
    if (pil === 'grey16') {
      const { data, info } = await pipeline.removeAlpha().toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
      const v = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
      const rgb = new Uint8Array(info.width * info.height * 3);
      for (let p = 0; p < info.width * info.height; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = Math.min(255, v[p * info.channels]);
      return { data: rgb, height: info.height, width: info.width, channels: 3 };
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
