import { tf } from '@residual/tensor';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, ReLU, Sequential } from '@residual/nn';
import type { Batch } from '../data/source';

/** conv-bn-relu-pool-fc: small, but with BatchNorm buffers so train/eval modes matter. */
export function tinyNet(inC = 1, classes = 3): Sequential {
  return new Sequential(new Conv2d(inC, 4, 3, { padding: 1, bias: false }), new BatchNorm2d(4), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(), new Linear(4, classes));
}

/**
 * A resumable in-memory loader over formula images: class k images are brighter in row band k, so the
 * task is learnable. Iterating yields the rest of the current epoch, as @residual/datasets' DataLoader.
 */
export class FormulaLoader implements AsyncIterable<Batch> {
  epoch = 0;
  batchIndex = 0;
  constructor(
    readonly numBatches = 6,
    readonly batchSize = 8,
    readonly size = 6,
    readonly classes = 3,
  ) {}
  get length(): number {
    return this.numBatches;
  }
  state(): { epoch: number; batchIndex: number } {
    return { epoch: this.epoch, batchIndex: this.batchIndex };
  }
  loadState(s: { epoch: number; batchIndex: number }): void {
    this.epoch = s.epoch;
    this.batchIndex = s.batchIndex;
  }
  batch(e: number, b: number): Batch {
    const { batchSize: n, size: s, classes } = this;
    const x = new Float32Array(n * s * s);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const id = (b * n + i + e * 7) % (this.numBatches * n);
      const label = id % classes;
      y[i] = label;
      for (let r = 0; r < s; r++)
        for (let c = 0; c < s; c++) x[(i * s + r) * s + c] = Math.sin(0.37 * (id * 31 + r * s + c)) * 0.3 + (Math.floor((r * classes) / s) === label ? 1 : 0);
    }
    return { x: tf.tensor4d(x, [n, s, s, 1]), y: tf.tensor1d(y, 'int32') };
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    while (this.batchIndex < this.numBatches) {
      const b = this.batchIndex++;
      yield this.batch(this.epoch, b);
    }
    this.epoch++;
    this.batchIndex = 0;
  }
}
