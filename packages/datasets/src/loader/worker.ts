// Worker-thread entry of the DataLoader (built to dist/worker.mjs). It bundles @residual/random and
// never loads TensorFlow.js: workers only transform uint8 images and write float32 batches.
import { Rng } from '@residual/random';
import { processBatch, type BatchResult, type BatchTask } from './pipeline';

const derive = (seed: number, epoch: number, index: number): Rng => Rng.derive(seed, epoch, index);

/** Piscina task handler: one batch in, one float32 batch out (structured-cloned back). */
export default function run(task: BatchTask): Promise<BatchResult> {
  return processBatch(task, derive);
}
