import { Rng } from '@residual/tensor';
import type { Dataset, DecodeHintTarget, Sample } from './types';

/**
 * A view of `dataset` restricted to `indices` (as `torch.utils.data.Subset`).
 *
 * @example
 * ```ts
 * const firstTen = new Subset(train, Array.from({ length: 10 }, (_, i) => i));
 * ```
 */
export class Subset implements Dataset {
  readonly dataset: Dataset;
  readonly indices: Int32Array;

  constructor(dataset: Dataset, indices: ArrayLike<number>) {
    this.dataset = dataset;
    this.indices = Int32Array.from(indices);
    for (const i of this.indices) {
      if (i < 0 || i >= dataset.length) throw new RangeError(`Subset index ${i} out of range for a dataset of ${dataset.length} samples`);
    }
  }

  get length(): number {
    return this.indices.length;
  }

  get classes(): readonly string[] | undefined {
    return this.dataset.classes;
  }

  /** Forwarded to the underlying dataset when it decodes files. */
  setDecodeHint(hint: { resizeShorterTo?: number }): void {
    (this.dataset as Partial<DecodeHintTarget>).setDecodeHint?.(hint);
  }

  get(index: number): Sample | Promise<Sample> {
    if (!Number.isInteger(index) || index < 0 || index >= this.indices.length) {
      throw new RangeError(`index ${index} out of range for a subset of ${this.indices.length} samples`);
    }
    return this.dataset.get(this.indices[index]);
  }
}

/** Options of {@link trainValSplit}. */
export interface TrainValSplitOptions {
  /** Number of validation samples (default 5000: the paper's 45k/5k CIFAR-10 split). */
  valSize?: number;
  /** Fraction of samples for validation; overrides `valSize`. */
  valFraction?: number;
  /** Seed of the permutation. Default 0. */
  seed?: number;
}

/**
 * Split a training set into train and validation subsets, deterministically from `seed`: a seeded
 * permutation of all indices, whose first `valSize` go to validation. Each subset keeps its indices in
 * ascending order (the loader shuffles). He et al. (2016) train CIFAR-10 on 45k images and validate on
 * the other 5k: that is the default.
 *
 * @example
 * ```ts
 * const { train, val } = trainValSplit(await CIFAR10.load({ root: '/data' }), { seed: 0 });
 * train.length; // 45000
 * val.length;   // 5000
 * ```
 */
export function trainValSplit(dataset: Dataset, options: TrainValSplitOptions = {}): { train: Subset; val: Subset } {
  const n = dataset.length;
  const valSize = options.valFraction !== undefined ? Math.round(n * options.valFraction) : (options.valSize ?? 5000);
  if (!Number.isInteger(valSize) || valSize < 0 || valSize > n) {
    throw new RangeError(`trainValSplit: validation size ${valSize} must be an integer in [0, ${n}]`);
  }
  const perm = new Rng(options.seed ?? 0).permutation(n);
  const val = perm.slice(0, valSize).sort();
  const train = perm.slice(valSize).sort();
  return { train: new Subset(dataset, train), val: new Subset(dataset, val) };
}

/**
 * Split into consecutive random subsets of the given lengths (or fractions summing to 1), as
 * `torch.utils.data.random_split`, deterministic from `seed`.
 *
 * @example
 * ```ts
 * const [a, b] = randomSplit(ds, [0.9, 0.1], 0);
 * ```
 */
export function randomSplit(dataset: Dataset, lengths: number[], seed = 0): Subset[] {
  const n = dataset.length;
  let sizes = lengths;
  if (lengths.every((l) => l >= 0 && l <= 1) && Math.abs(lengths.reduce((a, b) => a + b, 0) - 1) < 1e-9) {
    sizes = lengths.map((f) => Math.floor(f * n));
    // Hand the remainder out one by one, first subsets first (torch does the same).
    for (let r = n - sizes.reduce((a, b) => a + b, 0), i = 0; r > 0; r--, i = (i + 1) % sizes.length) sizes[i]++;
  }
  if (sizes.reduce((a, b) => a + b, 0) !== n) throw new RangeError(`randomSplit: lengths ${lengths.join(', ')} do not sum to ${n}`);
  const perm = new Rng(seed).permutation(n);
  const out: Subset[] = [];
  let off = 0;
  for (const s of sizes) {
    out.push(new Subset(dataset, perm.subarray(off, off + s)));
    off += s;
  }
  return out;
}
