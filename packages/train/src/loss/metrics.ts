/**
 * Count top-1 and top-5 hits of a batch from its scores (row-major `[N, C]`) and labels: a label is in
 * the top k when fewer than k classes score strictly higher.
 *
 * @example
 * ```ts
 * import { topkHits } from '@residual/train';
 * topkHits([0.1, 0.7, 0.2], [2], 3); // { top1: 0, top5: 1 }
 * ```
 */
export function topkHits(scores: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): { top1: number; top5: number } {
  let top1 = 0;
  let top5 = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = i * numClasses;
    const target = scores[row + (labels[i] as number)];
    let higher = 0;
    for (let j = 0; j < numClasses && higher < 5; j++) if (scores[row + j] > target) higher++;
    if (higher < 1) top1++;
    if (higher < 5) top5++;
  }
  return { top1, top5 };
}

/** Running sums of a pass over data: loss, top-1 and top-5 hits, samples. */
export class Meter {
  lossSum = 0;
  top1 = 0;
  top5 = 0;
  count = 0;
  add(meanLoss: number, batch: number, hits: { top1: number; top5: number }): void {
    this.lossSum += meanLoss * batch;
    this.top1 += hits.top1;
    this.top5 += hits.top5;
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
  toJSON(): { lossSum: number; top1: number; top5: number; count: number } {
    return { lossSum: this.lossSum, top1: this.top1, top5: this.top5, count: this.count };
  }
  static from(s: { lossSum: number; top1: number; top5: number; count: number } | undefined): Meter {
    const m = new Meter();
    if (s) Object.assign(m, s);
    return m;
  }
}
