// Worker-thread entry of the DataLoader (built to dist/worker.mjs). It bundles @residual/random and
// never loads TensorFlow.js: workers only transform uint8 images and write float32 batches.
import { Rng } from '@residual/random';
import { Piscina } from 'piscina';
import { processBatch, type BatchResult, type BatchTask } from './pipeline';

const derive = (seed: number, epoch: number, index: number): Rng => Rng.derive(seed, epoch, index);

/** Piscina task handler: one batch in, one float32 batch out (its buffer transferred, not copied). */
export default async function run(task: BatchTask): Promise<unknown> {
  const result: BatchResult = await processBatch(task, derive);
  return Piscina.move({
    get [Piscina.transferableSymbol]() {
      return [result.x.buffer];
    },
    get [Piscina.valueSymbol]() {
      return result;
    },
  } as unknown as ArrayBuffer);
}
