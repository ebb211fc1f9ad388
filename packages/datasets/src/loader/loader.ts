import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { Rng, tf } from '@residual/tensor';
import type { Dataset, DecodeHintTarget, ImageU8, SampleTransform, SampleTransformFn } from '../types';
import { packImages, processBatch, type BatchResult, type BatchTask, type NormalizeOptions } from './pipeline';
import { asTransformFn, isTransformSpec, leadingResize, loadTransformObject, type ResolvedTransform, type TransformSpec } from './spec';

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Samples per batch. Default 1. */
  batchSize?: number;
  /** Reshuffle every epoch (order = `Rng.derive(seed, epoch).permutation(n)`). Default `false`. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than `batchSize`. Default `false`. */
  dropLast?: boolean;
  /** Seed of the order and of every sample's augmentation. Default 0. */
  seed?: number;
  /**
   * Worker threads running the transforms (a piscina pool). `0` runs them inline on the main thread.
   * Results are identical for any count. Default 0.
   */
  numWorkers?: number;
  /** Batches prepared ahead of the consumer (bounds memory). Default `max(2, 2 * numWorkers)`. */
  prefetch?: number;
  /**
   * Per-sample transform on the uint8 HWC image. With workers it must be a {@link TransformSpec};
   * inline it may also be a live object or function.
   */
  transform?: TransformSpec | SampleTransform | SampleTransformFn;
  /** Per-channel normalization after scaling to [0, 1]. Default none (pixels / 255). */
  normalize?: NormalizeOptions;
  /**
   * When the transform starts with `Resize(size)` and the dataset decodes files (ImageFolder, ImageNet),
   * decode straight to that size with libvips shrink-on-load. Much faster for ImageNet; `false` keeps
   * full-size decoding so the `Resize` of `@residual/transforms` does all the resampling. Default `true`.
   */
  shrinkOnLoad?: boolean;
  /** Path of the worker script; default: the package's built `dist/worker.mjs`. */
  workerFile?: string;
}

/** A batch: images as an NHWC float32 tensor, labels as int32, and the dataset indices used. */
export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
  indices: Int32Array;
}

/** Position of a {@link DataLoader}: the next batch it yields is batch `batchIndex` of epoch `epoch`. */
export interface LoaderState {
  epoch: number;
  batchIndex: number;
  seed: number;
}

/**
 * Locate the built worker script, both from the built package and from TypeScript sources (tests).
 *
 * @example
 * ```ts
 * defaultWorkerFile(); // '/…/node_modules/@residual/datasets/dist/worker.mjs'
 * ```
 */
export function defaultWorkerFile(): string {
  const candidates = [join(__dirname, 'worker.mjs'), join(__dirname, '..', 'worker.mjs'), join(__dirname, '..', '..', 'dist', 'worker.mjs')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`DataLoader worker script not found (looked in ${candidates.join(', ')}); build @residual/datasets first`);
  return found;
}

/**
 * Batches samples of a {@link Dataset} (as `torch.utils.data.DataLoader`): seeded shuffling,
 * drop-last, per-sample transforms in a pool of worker threads, bounded prefetch, and an exactly
 * resumable position. Iterating the loader yields one epoch; the next iteration yields the next one.
 * Sample `i` of epoch `e` is augmented with `Rng.derive(seed, e, i)`, so batches are identical for any
 * number of workers. The caller disposes `x` and `y`.
 *
 * @example
 * ```ts
 * const loader = new DataLoader(train, { batchSize: 128, shuffle: true, seed: 1, numWorkers: 2,
 *   transform: { module: '/abs/cifar-augment.mjs' }, normalize: { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] } });
 * for await (const { x, y } of loader) { x.dispose(); y.dispose(); }
 * const saved = loader.state();  // { epoch: 1, batchIndex: 0, seed: 1 }
 * await loader.close();
 * ```
 */
export class DataLoader implements AsyncIterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly prefetch: number;
  /** Samples skipped because the dataset returned no image (corrupt files with `skipCorrupt`). */
  skipped = 0;
  private seed: number;
  private epoch = 0;
  private batchIndex = 0;
  private readonly spec?: TransformSpec;
  private readonly inline?: ResolvedTransform;
  private readonly rawTransform?: unknown;
  private readonly shrinkOnLoad: boolean;
  private decodeConfigured = false;
  private readonly normalize?: NormalizeOptions;
  private readonly workerFile?: string;
  private pool?: Piscina;

  constructor(dataset: Dataset, options: DataLoaderOptions = {}) {
    this.dataset = dataset;
    this.batchSize = options.batchSize ?? 1;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.seed = options.seed ?? 0;
    this.numWorkers = options.numWorkers ?? 0;
    this.prefetch = options.prefetch ?? Math.max(2, 2 * this.numWorkers);
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) throw new RangeError(`numWorkers must be an integer >= 0, got ${this.numWorkers}`);
    if (!Number.isInteger(this.prefetch) || this.prefetch < 1) throw new RangeError(`prefetch must be a positive integer, got ${this.prefetch}`);
    if (options.transform !== undefined) {
      if (isTransformSpec(options.transform)) this.spec = options.transform;
      else if (this.numWorkers > 0) {
        throw new TypeError('with numWorkers > 0 the transform must be a TransformSpec ({ module, export, options }): live objects cannot cross threads');
      } else {
        this.inline = asTransformFn(options.transform);
        this.rawTransform = options.transform;
      }
    }
    this.shrinkOnLoad = options.shrinkOnLoad ?? true;
    if (options.normalize) this.normalize = options.normalize;
    if (options.workerFile) this.workerFile = options.workerFile;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The current position (save it with a checkpoint). */
  state(): LoaderState {
    return { epoch: this.epoch, batchIndex: this.batchIndex, seed: this.seed };
  }

  /** Restore a position saved by {@link DataLoader.state}: iteration resumes at the exact next batch. */
  loadState(state: LoaderState): void {
    const { epoch, batchIndex, seed } = state;
    if (![epoch, batchIndex, seed].every(Number.isInteger) || epoch < 0 || batchIndex < 0 || batchIndex > this.length) {
      throw new RangeError(`invalid loader state ${JSON.stringify(state)} for ${this.length} batches per epoch`);
    }
    this.epoch = epoch;
    this.batchIndex = batchIndex;
    this.seed = seed;
  }

  /** Jump to the start of `epoch`. */
  setEpoch(epoch: number): void {
    this.loadState({ epoch, batchIndex: 0, seed: this.seed });
  }

  /** Sample order of `epoch`: a seeded permutation when shuffling, else 0..n-1. */
  order(epoch: number): Int32Array {
    const n = this.dataset.length;
    if (!this.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
    return Rng.derive(this.seed, epoch).permutation(n);
  }

  /** Iterate the remaining batches of the current epoch; afterwards the loader points at the next epoch. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    const epoch = this.epoch;
    const order = this.order(epoch);
    const total = this.length;
    await this.configureDecode();
    const pending: Array<Promise<{ result: BatchResult; labels: number[]; indices: number[] }>> = [];
    let next = this.batchIndex;
    const schedule = (): void => {
      while (pending.length < this.prefetch && next < total) {
        const p = this.prepare(order, epoch, next++);
        p.catch(() => undefined); // surfaced when awaited in order
        pending.push(p);
      }
    };
    try {
      schedule();
      while (pending.length > 0) {
        const { result, labels, indices } = await (pending.shift() as (typeof pending)[number]);
        schedule();
        this.batchIndex++;
        if (labels.length === 0) continue;
        yield {
          x: tf.tensor4d(result.x, result.shape, 'float32'),
          y: tf.tensor1d(Int32Array.from(labels), 'int32'),
          indices: Int32Array.from(indices),
        };
      }
      this.epoch = epoch + 1;
      this.batchIndex = 0;
    } finally {
      // Early exit: let in-flight work settle so no task outlives the iteration.
      await Promise.allSettled(pending);
    }
  }

  /** Iterate `count` epochs (default: forever), each an async iterable of batches. */
  async *epochs(count = Infinity): AsyncGenerator<{ epoch: number; batches: AsyncIterable<Batch> }> {
    for (let k = 0; k < count; k++) {
      const epoch = this.epoch;
      yield { epoch, batches: { [Symbol.asyncIterator]: () => this[Symbol.asyncIterator]() } };
      if (this.epoch === epoch) this.setEpoch(epoch + 1); // consumer skipped or broke off: move on anyway
    }
  }

  /** Stop the worker threads. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  /** Pass a leading `Resize(size)` on to a file-decoding dataset as a decode size (once). */
  private async configureDecode(): Promise<void> {
    if (this.decodeConfigured) return;
    this.decodeConfigured = true;
    const target = this.dataset as Partial<DecodeHintTarget>;
    if (!this.shrinkOnLoad || typeof target.setDecodeHint !== 'function') return;
    const raw = this.rawTransform ?? (this.spec ? await loadTransformObject(this.spec) : undefined);
    const size = leadingResize(raw);
    if (size !== undefined) target.setDecodeHint({ resizeShorterTo: size });
  }

  private async prepare(order: Int32Array, epoch: number, b: number): Promise<{ result: BatchResult; labels: number[]; indices: number[] }> {
    const ids = Array.from(order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize)));
    const samples = await Promise.all(ids.map((i) => this.dataset.get(i)));
    const images: ImageU8[] = [];
    const labels: number[] = [];
    const indices: number[] = [];
    samples.forEach((s, k) => {
      if (!s.image) {
        this.skipped++;
        return;
      }
      images.push(s.image);
      labels.push(s.label);
      indices.push(ids[k]);
    });
    const task: BatchTask = { images, indices, seed: this.seed, epoch };
    if (this.spec) task.transform = this.spec;
    if (this.normalize) task.normalize = this.normalize;
    const result =
      this.numWorkers === 0 ? await processBatch(task, (s, e, i) => Rng.derive(s, e, i), this.inline) : await this.runInPool(task);
    return { result, labels, indices };
  }

  private runInPool(task: BatchTask): Promise<BatchResult> {
    if (!this.pool) {
      this.pool = new Piscina({
        filename: this.workerFile ?? defaultWorkerFile(),
        minThreads: this.numWorkers,
        maxThreads: this.numWorkers,
        idleTimeout: 30_000,
      });
    }
    // One packed buffer per batch, transferred rather than copied.
    const { images, ...rest } = task;
    const packed = packImages(images ?? []);
    return this.pool.run({ ...rest, packed }, { transferList: [packed.pixels.buffer as ArrayBuffer] }) as Promise<BatchResult>;
  }
}
