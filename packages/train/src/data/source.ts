import type { tf } from '@residual/tensor';

/** A batch: NHWC float32 images and int32 labels (what `@residual/datasets`' `DataLoader` yields). */
export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
}

/**
 * Data for `fit`/`evaluate`: iterating it yields one epoch of batches (sync or async). A
 * `@residual/datasets` `DataLoader` fits; `state()`/`loadState()` make mid-epoch resume exact, and
 * `length` (batches per epoch) drives the progress bar's ETA. Batches are disposed after use.
 */
export type BatchSource = (AsyncIterable<Batch> | Iterable<Batch>) & {
  length?: number;
  state?(): unknown;
  loadState?(state: never): void;
};

/** Iterate a sync or async source uniformly. */
export async function* batches(source: BatchSource): AsyncGenerator<Batch> {
  if (Symbol.asyncIterator in source) {
    for await (const b of source as AsyncIterable<Batch>) yield b;
  } else {
    for (const b of source as Iterable<Batch>) yield b;
  }
}
