import type { Dataset, ImageU8, Sample } from './types';

/** Shape of one image of an {@link ArrayDataset}. */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/**
 * A dataset held in memory as one contiguous uint8 NHWC buffer plus integer labels. CIFAR and
 * (Fashion-)MNIST are instances; use it directly for synthetic data.
 *
 * @example
 * ```ts
 * const ds = new ArrayDataset(new Uint8Array(2 * 4 * 4 * 3), new Int32Array([0, 1]), { height: 4, width: 4, channels: 3 });
 * ds.get(1).label; // 1
 * ```
 */
export class ArrayDataset implements Dataset {
  readonly images: Uint8Array;
  readonly labels: Int32Array;
  readonly shape: ImageShape;
  readonly classes?: readonly string[];

  constructor(images: Uint8Array, labels: ArrayLike<number>, shape: ImageShape, classes?: readonly string[]) {
    const per = shape.height * shape.width * shape.channels;
    if (images.length !== per * labels.length) {
      throw new RangeError(`ArrayDataset: ${images.length} pixel bytes do not hold ${labels.length} images of ${per} bytes`);
    }
    this.images = images;
    this.labels = Int32Array.from(labels);
    this.shape = { ...shape };
    if (classes) this.classes = classes;
  }

  get length(): number {
    return this.labels.length;
  }

  /** Sample `index`; the image is a copy, so it can be transferred to a worker or mutated. */
  get(index: number): Sample {
    return { image: this.image(index), label: this.labels[checkIndex(index, this.length)] };
  }

  /** A copy of image `index`. */
  image(index: number): ImageU8 {
    const i = checkIndex(index, this.length);
    const { height, width, channels } = this.shape;
    const per = height * width * channels;
    return { data: this.images.slice(i * per, (i + 1) * per), height, width, channels };
  }

  /** Number of samples per class label (index = label). */
  classCounts(): number[] {
    const counts: number[] = [];
    for (const l of this.labels) counts[l] = (counts[l] ?? 0) + 1;
    return Array.from(counts, (c) => c ?? 0);
  }
}

function checkIndex(index: number, length: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`index ${index} out of range for a dataset of ${length} samples`);
  }
  return index;
}
