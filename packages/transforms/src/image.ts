/**
 * A decoded 8-bit image, stored row-major as height × width × channels (HWC, interleaved), the layout every
 * decoder (sharp, canvas `ImageData` without alpha, PNG/JPEG libraries) produces.
 *
 * Why not CHW like torchvision tensors: HWC is what decoders give and what tfjs (NHWC) consumes, so the uint8
 * path never transposes. The functional ops read torchvision's CHW semantics onto this layout.
 *
 * @example
 * ```ts
 * import { createImage } from '@residual/transforms';
 * const img = createImage(2, 3, 3);      // 2 rows, 3 columns, RGB, zero-filled
 * img.data[(1 * img.width + 2) * 3 + 0] = 255; // red pixel at row 1, column 2
 * ```
 */
export interface Image {
  /** Pixel bytes, `data[(y * width + x) * channels + c]`. */
  data: Uint8Array;
  height: number;
  width: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: number;
}

/**
 * A float image (e.g. after {@link normalizeToFloat32}), HWC or CHW.
 *
 * @example
 * ```ts
 * import { createImage, Normalize } from '@residual/transforms';
 * const f = new Normalize({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }).apply(createImage(4, 4, 3));
 * f.data.length; // 48
 * ```
 */
export interface FloatImage {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
  layout: 'HWC' | 'CHW';
}

/**
 * A new zero-filled (or `fill`-filled) image.
 *
 * @example
 * ```ts
 * const gray = createImage(28, 28, 1, 0);
 * ```
 */
export function createImage(height: number, width: number, channels = 3, fill = 0): Image {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0) {
    throw new RangeError(`transforms/image: height and width must be non-negative integers, got ${height}x${width}`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(`transforms/image: channels must be 1 or 3, got ${channels}`);
  }
  const data = new Uint8Array(height * width * channels);
  if (fill !== 0) data.fill(fill);
  return { data, height, width, channels };
}

/**
 * Wrap existing bytes as an {@link Image} (no copy), checking the length.
 *
 * @example
 * ```ts
 * const img = imageFromBytes(new Uint8Array(32 * 32 * 3), 32, 32, 3);
 * ```
 */
export function imageFromBytes(data: Uint8Array | Uint8ClampedArray, height: number, width: number, channels: number): Image {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const img = { data: bytes, height, width, channels };
  assertImage(img, 'imageFromBytes');
  return img;
}

/**
 * Throws a `TypeError` naming `where` if `img` is not a valid {@link Image}.
 *
 * @example
 * ```ts
 * assertImage(createImage(2, 2, 3), 'myOp'); // ok
 * ```
 */
export function assertImage(img: Image, where: string): void {
  if (!img || !(img.data instanceof Uint8Array)) {
    throw new TypeError(`transforms/${where}: expected an Image with a Uint8Array 'data' (HWC uint8)`);
  }
  const { height, width, channels } = img;
  if (channels !== 1 && channels !== 3) {
    throw new TypeError(`transforms/${where}: images must have 1 or 3 channels, got ${channels}`);
  }
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0) {
    throw new TypeError(`transforms/${where}: invalid image size ${height}x${width}`);
  }
  if (img.data.length !== height * width * channels) {
    throw new TypeError(
      `transforms/${where}: data has ${img.data.length} bytes but ${height}x${width}x${channels} needs ${height * width * channels}`,
    );
  }
}

/**
 * A deep copy.
 *
 * @example
 * ```ts
 * const copy = cloneImage(createImage(2, 2));
 * ```
 */
export function cloneImage(img: Image): Image {
  return { data: img.data.slice(), height: img.height, width: img.width, channels: img.channels };
}
