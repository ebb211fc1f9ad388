import type { Rng } from '@residual/random';

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
    for (const t of this.transforms) x = t.apply(x, rng);
    return x as O;
  }
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
