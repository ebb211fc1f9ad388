import type { Rng } from '@residual/random';
import { assertImage, type Image } from '../image';
import type { Transform } from '../transforms/base';
import { applyOp, augmentationSpace, type AugmentOpName, type ApplyOpOptions } from './ops';
import { AUTOAUGMENT_POLICIES, type SubPolicy } from './policies';

/** Options shared by the AutoAugment family. */
export type AugmentOptions = ApplyOpOptions;

function resolveFill(fill: ApplyOpOptions['fill'], channels: number): number[] | undefined {
  if (fill === undefined) return undefined;
  if (typeof fill === 'number') return new Array<number>(channels).fill(fill);
  if (fill.length === 1) return new Array<number>(channels).fill(fill[0]);
  return [...fill];
}

/** Options of {@link AutoAugment}. */
export interface AutoAugmentOptions extends AugmentOptions {
  /** Which learned policy, default `'imagenet'` (torchvision's default). */
  policy?: 'imagenet' | 'cifar10' | 'svhn';
}

/**
 * AutoAugment (Cubuk et al. 2019), torchvision's `AutoAugment`: pick one of the 25 sub-policies uniformly,
 * draw two probabilities and two signs, and apply each op whose probability passes at its 10-bin magnitude
 * (negated when its sign draw is 0). Draw order: policy index, prob₀, prob₁, sign₀, sign₁.
 *
 * @example
 * ```ts
 * const aa = new AutoAugment({ policy: 'cifar10' });
 * const out = aa.apply(createImage(32, 32, 3), Rng.derive(0, 0, 7));
 * ```
 */
export class AutoAugment implements Transform<Image, Image> {
  readonly policy: 'imagenet' | 'cifar10' | 'svhn';
  readonly policies: readonly SubPolicy[];

  constructor(readonly options: AutoAugmentOptions = {}) {
    this.policy = options.policy ?? 'imagenet';
    const table = AUTOAUGMENT_POLICIES[this.policy];
    if (!table) throw new RangeError(`transforms/AutoAugment: policy must be imagenet, cifar10 or svhn, got ${String(options.policy)}`);
    this.policies = table;
  }

  apply(img: Image, rng: Rng): Image {
    assertImage(img, 'AutoAugment');
    const id = rng.randint(0, this.policies.length);
    const probs = [rng.uniform(), rng.uniform()];
    const signs = [rng.randint(0, 2), rng.randint(0, 2)];
    const space = augmentationSpace('autoaugment', 10, [img.height, img.width]);
    const opts = { interpolation: this.options.interpolation, fill: resolveFill(this.options.fill, img.channels) };
    let out = img;
    this.policies[id].forEach(([op, p, bin], i) => {
      if (!(probs[i] <= p)) return;
      const s = space[op]!;
      let m = bin !== null && s.magnitudes ? s.magnitudes[bin] : 0;
      if (s.signed && signs[i] === 0) m = -m;
      out = applyOp(out, op, m, opts);
    });
    return out;
  }
}

/** Options of {@link RandAugment}. */
export interface RandAugmentOptions extends AugmentOptions {
  /** Ops per image, default 2. */
  numOps?: number;
  /** Magnitude bin index, default 9. */
  magnitude?: number;
  /** Number of bins, default 31. */
  numMagnitudeBins?: number;
}

/**
 * RandAugment (Cubuk et al. 2020), torchvision's `RandAugment`: `numOps` times, pick an op uniformly among 14
 * (Identity … Equalize) and apply it at the fixed magnitude bin, with a random sign for signed ops.
 *
 * @example
 * ```ts
 * const out = new RandAugment({ numOps: 2, magnitude: 9 }).apply(createImage(32, 32, 3), new Rng(0));
 * ```
 */
export class RandAugment implements Transform<Image, Image> {
  readonly numOps: number;
  readonly magnitude: number;
  readonly numMagnitudeBins: number;

  constructor(readonly options: RandAugmentOptions = {}) {
    this.numOps = options.numOps ?? 2;
    this.magnitude = options.magnitude ?? 9;
    this.numMagnitudeBins = options.numMagnitudeBins ?? 31;
    if (!(this.magnitude >= 0 && this.magnitude < this.numMagnitudeBins)) {
      throw new RangeError(`transforms/RandAugment: magnitude must be in [0, ${this.numMagnitudeBins}), got ${this.magnitude}`);
    }
  }

  apply(img: Image, rng: Rng): Image {
    assertImage(img, 'RandAugment');
    const space = augmentationSpace('randaugment', this.numMagnitudeBins, [img.height, img.width]);
    const names = Object.keys(space) as AugmentOpName[];
    const opts = { interpolation: this.options.interpolation, fill: resolveFill(this.options.fill, img.channels) };
    let out = img;
    for (let k = 0; k < this.numOps; k++) {
      const op = names[rng.randint(0, names.length)];
      const s = space[op]!;
      let m = s.magnitudes ? s.magnitudes[this.magnitude] : 0;
      if (s.signed && rng.randint(0, 2) === 1) m = -m;
      out = applyOp(out, op, m, opts);
    }
    return out;
  }
}

/** Options of {@link TrivialAugmentWide}. */
export interface TrivialAugmentWideOptions extends AugmentOptions {
  /** Number of bins, default 31. */
  numMagnitudeBins?: number;
}

/**
 * TrivialAugment (Müller & Hutter 2021), torchvision's `TrivialAugmentWide`: one op chosen uniformly, a
 * magnitude bin chosen uniformly, a random sign for signed ops.
 *
 * @example
 * ```ts
 * const out = new TrivialAugmentWide().apply(createImage(32, 32, 3), new Rng(0));
 * ```
 */
export class TrivialAugmentWide implements Transform<Image, Image> {
  readonly numMagnitudeBins: number;

  constructor(readonly options: TrivialAugmentWideOptions = {}) {
    this.numMagnitudeBins = options.numMagnitudeBins ?? 31;
  }

  apply(img: Image, rng: Rng): Image {
    assertImage(img, 'TrivialAugmentWide');
    const space = augmentationSpace('trivialaugmentwide', this.numMagnitudeBins);
    const names = Object.keys(space) as AugmentOpName[];
    const op = names[rng.randint(0, names.length)];
    const s = space[op]!;
    let m = s.magnitudes ? s.magnitudes[rng.randint(0, s.magnitudes.length)] : 0;
    if (s.signed && rng.randint(0, 2) === 1) m = -m;
    return applyOp(img, op, m, { interpolation: this.options.interpolation, fill: resolveFill(this.options.fill, img.channels) });
  }
}
