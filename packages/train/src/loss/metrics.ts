/**
 * Thrown when a label is not a class of the model (not an integer in `[0, numClasses)`), e.g. 10-class
 * labels on a 5-class head: the cross-entropy would otherwise train on, and accuracies count, nonsense.
 * @example
 * ```ts
 * import { topkHits, LabelOutOfRangeError } from '@residual/train';
 * try { topkHits([0.1, 0.9], [7], 2); } catch (e) { if (e instanceof LabelOutOfRangeError) console.error(e.label); }
 * ```
 */
export class LabelOutOfRangeError extends RangeError {
  constructor(
    readonly label: number,
    readonly numClasses: number,
    readonly index: number,
  ) {
    super(
      `@residual/train: label ${label} (sample ${index} of the batch) is not a class of a model with ${numClasses} classes ` +
        `(labels must be integers in [0, ${numClasses - 1}]); does the model's numClasses match the dataset?`,
    );
    this.name = 'LabelOutOfRangeError';
  }
}

/**
 * Count top-1 and top-5 hits of a batch from its scores (row-major `[N, C]`) and labels: a label is in
 * the top k when fewer than k classes score strictly higher. A row with any NaN or ±Inf score is never
 * a hit (NaN compares false, so it would otherwise "win" every comparison); `nonFinite` counts such
 * rows. A label outside `[0, numClasses)` throws {@link LabelOutOfRangeError}.
 *
 * @example
 * ```ts
 * import { topkHits } from '@residual/train';
 * topkHits([0.1, 0.7, 0.2], [2], 3); // { top1: 0, top5: 1 }
 * ```
 */
export function topkHits(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): { top1: number; top5: number; nonFinite: number } {
  let top1 = 0;
  let top5 = 0;
  let nonFinite = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) throw new LabelOutOfRangeError(label, numClasses, i);
    const row = i * numClasses;
    let finite = true;
    for (let j = 0; j < numClasses; j++) if (!Number.isFinite(scores[row + j])) finite = false;
    if (!finite) {
      nonFinite++;
      continue;
    }
    const target = scores[row + label];
    let higher = 0;
    for (let j = 0; j < numClasses && higher < 5; j++) if (scores[row + j] > target) higher++;
    if (higher < 1) top1++;
    if (higher < 5) top5++;
  }
  return { top1, top5, nonFinite };
}

/** Running sums of a pass over data: loss, top-1 and top-5 hits, samples. */
export class Meter {
  lossSum = 0;
  top1 = 0;
  top5 = 0;
  count = 0;
  /** Samples whose scores had a NaN or ±Inf (never counted as hits). */
  nonFinite = 0;
  add(meanLoss: number, batch: number, hits: { top1: number; top5: number; nonFinite?: number }): void {
    this.lossSum += meanLoss * batch;
    this.top1 += hits.top1;
    this.top5 += hits.top5;
    this.nonFinite += hits.nonFinite ?? 0;
    this.count += batch;
  }
  get loss(): number {
    return this.count ? this.lossSum / this.count : NaN;
  }
  get acc1(): number {
    return this.count ? this.top1 / this.count : NaN;
  }
  get acc5(): number {
    return this.count ? this.top5 / this.count : NaN;
  }
  toJSON(): { lossSum: number; top1: number; top5: number; count: number; nonFinite: number } {
    return { lossSum: this.lossSum, top1: this.top1, top5: this.top5, count: this.count, nonFinite: this.nonFinite };
  }
  static from(s: { lossSum: number; top1: number; top5: number; count: number; nonFinite?: number } | undefined): Meter {
    const m = new Meter();
    if (s) Object.assign(m, s);
    return m;
  }
}
