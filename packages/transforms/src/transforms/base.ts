import type { Rng } from '@residual/random';
import type { Image } from '../image';
import { resize, resizeWindow, type ResizeOptions } from '../functional/resize';

/**
 * A transform: `apply(input, rng)` draws whatever random parameters it needs from `rng` and returns the
 * transformed input. Inputs are never mutated.
 *
 * Reproducibility contract: all randomness comes from the `rng` argument (never `Math.random`, never a
 * generator held by the transform), so a loader that gives sample `index` of `epoch` the generator
 * `Rng.derive(seed, epoch, index)` gets identical augmentations whatever the number of workers or the order
 * in which samples are processed.
 *
 * @example
 * ```ts
 * import { Rng } from '@residual/random';
 * import { RandomHorizontalFlip, createImage } from '@residual/transforms';
 * const flip = new RandomHorizontalFlip();
 * const out = flip.apply(createImage(32, 32, 3), Rng.derive(0, 1, 42)); // seed 0, epoch 1, sample 42
 * ```
 */
export interface Transform<I = unknown, O = unknown> {
  apply(input: I, rng: Rng): O;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- a pipeline chains transforms of different input and
   output types (Image -> Image -> FloatImage); `any` defaults let callers use it where an Image transform is
   expected without casts, as torchvision's untyped Compose. */
/**
 * Chain transforms (torchvision `Compose`); the same `rng` flows through them in order.
 *
 * @example
 * ```ts
 * const t = new Compose([new RandomCrop(32, { padding: 4 }), new RandomHorizontalFlip(), new Normalize({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] })]);
 * const x = t.apply(createImage(32, 32, 3), new Rng(0)); // FloatImage
 * ```
 */
export class Compose<I = any, O = any> implements Transform<I, O> {
  readonly transforms: ReadonlyArray<Transform<any, any>>;

  constructor(transforms: ReadonlyArray<Transform<any, any>>) {
    if (!Array.isArray(transforms)) throw new TypeError('transforms/Compose: expected an array of transforms');
    transforms.forEach((t, i) => {
      if (!t || typeof t.apply !== 'function') throw new TypeError(`transforms/Compose: element ${i} has no apply(input, rng) method`);
    });
    this.transforms = transforms;
  }

  apply(input: I, rng: Rng): O {
    let x: unknown = input;
    const ts = this.transforms;
    for (let k = 0; k < ts.length; k++) {
      const a = ts[k];
      const b = ts[k + 1];
      // A resize followed by a crop only computes the kept pixels; same random draws, same bytes as unfused.
      if (b && isSizePlanner(a) && isCropPlanner(b) && isImage(x)) {
        const size = a.planSize(x, rng);
        const box = b.planCrop(size[0], size[1], rng);
        x = box ? resizeWindow(x, size, box[0], box[1], box[2], box[3], a.resizeOptions) : b.apply(resize(x, size, a.resizeOptions), rng);
        k++;
        continue;
      }
      x = a.apply(x, rng);
    }
    return x as O;
  }
}

/** @internal A resizing transform that can announce its output size before resampling. */
export interface SizePlanner {
  readonly resizeOptions: ResizeOptions;
  /** Draw (if random) and return the output [height, width] — the same draws as `apply`. */
  planSize(img: Image, rng: Rng): [number, number];
}

/** @internal A cropping transform that can choose its box from the input size alone. */
export interface CropPlanner {
  /** The crop box [top, left, height, width] — the same draws as `apply` — or null (before any draw) if it must run unfused. */
  planCrop(height: number, width: number, rng: Rng): [number, number, number, number] | null;
  apply(img: Image, rng: Rng): Image;
}

function isSizePlanner(t: unknown): t is SizePlanner {
  return typeof (t as SizePlanner).planSize === 'function';
}

function isCropPlanner(t: unknown): t is CropPlanner {
  return typeof (t as CropPlanner).planCrop === 'function';
}

function isImage(x: unknown): x is Image {
  return !!x && (x as Image).data instanceof Uint8Array;
}

/**
 * Apply `transforms` (in order) with probability `p` (torchvision `RandomApply`).
 *
 * @example
 * ```ts
 * const t = new RandomApply([new ColorJitter({ brightness: 0.4 })], 0.8);
 * ```
 */
export class RandomApply<I = any> implements Transform<I, I> {
  /* eslint-enable @typescript-eslint/no-explicit-any */
  constructor(
    readonly transforms: ReadonlyArray<Transform<I, I>>,
    readonly p = 0.5,
  ) {
    checkProbability(p, 'RandomApply');
  }

  apply(input: I, rng: Rng): I {
    if (!(rng.uniform() < this.p)) return input;
    let x = input;
    for (const t of this.transforms) x = t.apply(x, rng);
    return x;
  }
}

/** @internal */
export function checkProbability(p: number, where: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`transforms/${where}: p must be in [0, 1], got ${p}`);
}
