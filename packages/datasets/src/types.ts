import type { Rng } from '@residual/random';

/**
 * An 8-bit image in height-width-channel (HWC) layout, the format every dataset in this package
 * produces and every `@residual/transforms` op consumes.
 *
 * @example
 * ```ts
 * const img: ImageU8 = { data: new Uint8Array(32 * 32 * 3), height: 32, width: 32, channels: 3 };
 * ```
 */
export interface ImageU8 {
  data: Uint8Array;
  height: number;
  width: number;
  channels: number;
  /**
   * The file's EXIF orientation tag when it is not 1 (2–8: mirrored and/or rotated), set by
   * `decodeImage`, which — like PIL and torchvision — does not apply it.
   */
  exifOrientation?: number;
}

/**
 * What a transform may return: an 8-bit image (scaled by 1/255 before normalization) or a float image
 * already in [0, 1] (e.g. the output of a `ToTensor`-like op), both HWC.
 */
export interface ImageLike {
  data: Uint8Array | Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** One labelled sample. `image` is `null` only for an image skipped as corrupt (see `skipCorrupt`). */
export interface Sample {
  image: ImageU8 | null;
  label: number;
}

/**
 * A random-access dataset: `length` samples, sample `i` from `get(i)`. Implementations are
 * deterministic: `get(i)` returns the same pixels every time.
 *
 * @example
 * ```ts
 * const ds: Dataset = { length: 1, get: () => ({ image: { data: new Uint8Array(3), height: 1, width: 1, channels: 3 }, label: 0 }) };
 * ```
 */
export interface Dataset {
  readonly length: number;
  get(index: number): Sample | Promise<Sample>;
  /** Class names by index, where the dataset knows them. */
  readonly classes?: readonly string[];
}

/**
 * The structural shape of a per-sample transform: `@residual/transforms` random transform classes
 * (and `Compose`) satisfy it; so does any object with an `apply(img, rng)` method. All randomness must
 * come from `rng`, which the loader derives from `(seed, epoch, sampleIndex)`.
 *
 * @example
 * ```ts
 * const hflip: SampleTransform = {
 *   apply: (img, rng) => (rng.uniform() < 0.5 ? img : img), // a real flip would mirror the rows
 * };
 * ```
 */
export interface SampleTransform {
  apply(img: ImageU8, rng: Rng): ImageLike;
}

/**
 * Implemented by datasets that decode files and can decode straight to a smaller size: the
 * {@link DataLoader} calls it when the transform starts with `Resize(size)`.
 */
export interface DecodeHintTarget {
  setDecodeHint(hint: { resizeShorterTo?: number }): void;
}

/** A plain function form of {@link SampleTransform}. */
export type SampleTransformFn = (img: ImageU8, rng: Rng) => ImageLike;
