/**
 * tfjs bridge, kept out of the main entry so that the uint8 path (and data-loader workers) never load tfjs:
 * import it as `@residual/transforms/tensor`. Needs the optional peer `@residual/tensor`.
 */
import { tf } from '@residual/tensor';
import type { Rng } from '@residual/random';
import { assertImage, type FloatImage, type Image } from './image';
import type { Transform } from './transforms/base';

/** Options of {@link toTensor}. */
export interface ToTensorOptions {
  /**
   * For uint8 images: `'float32'` (default) scales to [0, 1] like torchvision's `ToTensor`; `'int32'` keeps
   * the raw 0–255 values.
   */
  dtype?: 'float32' | 'int32';
}

function isFloatImage(x: Image | FloatImage): x is FloatImage {
  return x.data instanceof Float32Array;
}

/**
 * An image as a tfjs tensor: `[h, w, c]` (HWC, what tfjs' NHWC layers expect — torchvision's `ToTensor` gives
 * CHW instead), values in [0, 1] for uint8 input; a {@link FloatImage} keeps its layout (`[h, w, c]` or
 * `[c, h, w]`) and values.
 *
 * @example
 * ```ts
 * import { toTensor } from '@residual/transforms/tensor';
 * const x = toTensor(createImage(32, 32, 3)); // tf.Tensor3D [32, 32, 3], float32
 * x.dispose();
 * ```
 */
export function toTensor(img: Image | FloatImage, options: ToTensorOptions = {}): tf.Tensor3D {
  if (isFloatImage(img)) {
    const shape: [number, number, number] = img.layout === 'CHW' ? [img.channels, img.height, img.width] : [img.height, img.width, img.channels];
    return tf.tensor3d(img.data, shape, 'float32');
  }
  assertImage(img, 'toTensor');
  const shape: [number, number, number] = [img.height, img.width, img.channels];
  if (options.dtype === 'int32') return tf.tensor3d(Int32Array.from(img.data), shape, 'int32');
  const f = new Float32Array(img.data.length);
  for (let i = 0; i < f.length; i++) f[i] = img.data[i] / 255;
  return tf.tensor3d(f, shape, 'float32');
}

/**
 * Stack same-sized images into one `[n, h, w, c]` batch tensor (one copy, no intermediate tensors).
 *
 * @example
 * ```ts
 * const batch = stackToTensor([createImage(8, 8, 3), createImage(8, 8, 3)]); // [2, 8, 8, 3]
 * batch.dispose();
 * ```
 */
export function stackToTensor(items: ReadonlyArray<Image | FloatImage>, options: ToTensorOptions = {}): tf.Tensor4D {
  if (items.length === 0) throw new RangeError('transforms/stackToTensor: empty batch');
  const first = items[0];
  const per = first.height * first.width * first.channels;
  const layout = isFloatImage(first) ? first.layout : 'HWC';
  const asInt = options.dtype === 'int32' && !isFloatImage(first);
  const buf = asInt ? new Int32Array(per * items.length) : new Float32Array(per * items.length);
  items.forEach((it, n) => {
    if (it.height !== first.height || it.width !== first.width || it.channels !== first.channels) {
      throw new RangeError(
        `transforms/stackToTensor: item ${n} is ${it.height}x${it.width}x${it.channels}, item 0 is ${first.height}x${first.width}x${first.channels}`,
      );
    }
    if (isFloatImage(it)) {
      if (it.layout !== layout) throw new RangeError(`transforms/stackToTensor: item ${n} has layout ${it.layout}, item 0 ${layout}`);
      buf.set(it.data, n * per);
    } else if (asInt) {
      buf.set(it.data, n * per);
    } else {
      for (let i = 0; i < per; i++) buf[n * per + i] = it.data[i] / 255;
    }
  });
  const shape: [number, number, number, number] =
    layout === 'CHW' ? [items.length, first.channels, first.height, first.width] : [items.length, first.height, first.width, first.channels];
  return tf.tensor4d(buf, shape, asInt ? 'int32' : 'float32');
}

/**
 * {@link toTensor} as a transform, for the end of a {@link Compose} pipeline (torchvision `ToTensor`).
 *
 * @example
 * ```ts
 * const x = new ToTensor().apply(createImage(32, 32, 3)); // tf.Tensor3D
 * x.dispose();
 * ```
 */
export class ToTensor implements Transform<Image | FloatImage, tf.Tensor3D> {
  constructor(readonly options: ToTensorOptions = {}) {}

  apply(img: Image | FloatImage, _rng?: Rng): tf.Tensor3D {
    return toTensor(img, this.options);
  }
}
