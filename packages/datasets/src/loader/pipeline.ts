import type { Rng } from '@residual/random';
import type { ImageLike, ImageU8 } from '../types';
import { loadTransform, type ResolvedTransform, type TransformSpec } from './spec';

/** Per-channel normalization `(x - mean) / std` applied after scaling to [0, 1] (as `Normalize`). */
export interface NormalizeOptions {
  mean: number[];
  std: number[];
}

/** One batch of work: raw images and everything needed to transform them identically anywhere. */
export interface BatchTask {
  /** The images, or (to cross threads in one transfer) `packed` instead. */
  images?: ImageU8[];
  packed?: PackedImages;
  indices: number[];
  seed: number;
  epoch: number;
  transform?: TransformSpec;
  normalize?: NormalizeOptions;
}

/** Images concatenated into one buffer: image k is `dims[3k..3k+2]` = (height, width, channels). */
export interface PackedImages {
  pixels: Uint8Array;
  dims: Int32Array;
}

/** Concatenate images into one buffer (one transfer instead of one per image). */
export function packImages(images: ImageU8[]): PackedImages {
  const pixels = new Uint8Array(images.reduce((s, im) => s + im.data.length, 0));
  const dims = new Int32Array(3 * images.length);
  let off = 0;
  images.forEach((im, k) => {
    pixels.set(im.data, off);
    off += im.data.length;
    dims.set([im.height, im.width, im.channels], 3 * k);
  });
  return { pixels, dims };
}

/** Views of the images in a {@link PackedImages}. */
export function unpackImages({ pixels, dims }: PackedImages): ImageU8[] {
  const out: ImageU8[] = [];
  let off = 0;
  for (let k = 0; k < dims.length; k += 3) {
    const [height, width, channels] = [dims[k], dims[k + 1], dims[k + 2]];
    const n = height * width * channels;
    out.push({ data: pixels.subarray(off, off + n), height, width, channels });
    off += n;
  }
  return out;
}

/** A batch of transformed float32 HWC images, concatenated. */
export interface BatchResult {
  x: Float32Array;
  shape: [number, number, number, number];
}

/** How a thread creates the generator of sample `index` in `epoch`: `Rng.derive(seed, epoch, index)`. */
export type DeriveRng = (seed: number, epoch: number, index: number) => Rng;

/**
 * Scale to [0, 1] (uint8 input) and normalize one image into `out` (HWC) at `offset`. Float images are
 * taken as already scaled; a `layout: 'CHW'` float image (a `@residual/transforms` `FloatImage`) is
 * transposed to HWC.
 */
export function toFloat(img: ImageLike & { layout?: string }, out: Float32Array, offset: number, normalize?: NormalizeOptions): void {
  const { channels } = img;
  let data = img.data;
  if (img.layout === 'CHW' && channels > 1) {
    const plane = img.height * img.width;
    const hwc = new Float32Array(data.length);
    for (let c = 0; c < channels; c++) for (let p = 0; p < plane; p++) hwc[p * channels + c] = data[c * plane + p];
    data = hwc;
  }
  const scale = data instanceof Uint8Array ? 1 / 255 : 1;
  if (!normalize) {
    for (let i = 0; i < data.length; i++) out[offset + i] = data[i] * scale;
    return;
  }
  const { mean, std } = normalize;
  if (mean.length !== channels || std.length !== channels) {
    throw new RangeError(`normalize needs ${channels} means and stds, got ${mean.length} and ${std.length}`);
  }
  const inv = std.map((s) => 1 / s);
  for (let i = 0; i < data.length; i += channels) {
    for (let c = 0; c < channels; c++) out[offset + i + c] = (data[i + c] * scale - mean[c]) * inv[c];
  }
}

/**
 * Transform and normalize a batch. Sample `indices[k]` gets the generator
 * `derive(seed, epoch, indices[k])`, so the result does not depend on which thread runs it.
 */
export async function processBatch(task: BatchTask, derive: DeriveRng, inline?: ResolvedTransform): Promise<BatchResult> {
  const transform = inline ?? (task.transform ? await loadTransform(task.transform) : undefined);
  const images = task.images ?? (task.packed ? unpackImages(task.packed) : []);
  const outs: ImageLike[] = images.map((img, k) =>
    transform ? transform(img, derive(task.seed, task.epoch, task.indices[k])) : img,
  );
  if (outs.length === 0) return { x: new Float32Array(0), shape: [0, 0, 0, 0] };
  const { height, width, channels } = outs[0];
  const per = height * width * channels;
  const x = new Float32Array(per * outs.length);
  outs.forEach((o, k) => {
    if (o.height !== height || o.width !== width || o.channels !== channels || o.data.length !== per) {
      throw new RangeError(
        `sample ${task.indices[k]} is ${o.height}x${o.width}x${o.channels} after transforms but sample ${task.indices[0]} is ${height}x${width}x${channels}: add a resize/crop so every image in a batch has the same size`,
      );
    }
    toFloat(o, x, k * per, task.normalize);
  });
  return { x, shape: [outs.length, height, width, channels] };
}
