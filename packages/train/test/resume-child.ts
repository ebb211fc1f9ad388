// Child process of resume.test.ts (bundled by esbuild at test time, run with plain node):
// trains the tiny net on formula data, checkpointing every step, resuming from its directory if a
// checkpoint is there, then writes its final weights to <dir>/final.safetensors.
//   node child.cjs <dir> <iterations> [stepDelayMs]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, useBackend, seed } from '@residual/tensor';
import { fit, multiStepLR, sgd } from '../src';
import { encodeSafetensors } from '@residual/nn';
import { FormulaLoader, tinyNet } from '../src/testing/helpers';

async function main(): Promise<void> {
  const [dir, iterations, delay] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 0)];
  await useBackend('cpu');
  seed(7);
  const model = tinyNet();
  const optimizer = sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
  const scheduler = multiStepLR(optimizer, { milestones: [8, 14], interval: 'iteration' });
  const result = await fit({
    model, train: new FormulaLoader(5, 4), val: new FormulaLoader(1, 4), optimizer, scheduler, iterations,
    checkpointDir: dir, checkpointEvery: 1, keepLast: 2, resume: true,
    progress: { tty: false, every: 1000, stream: process.stdout },
    callbacks: { onBatchEnd: () => (delay ? new Promise((r) => setTimeout(r, delay)) : undefined) },
  });
  const sd = model.stateDict();
  writeFileSync(join(dir, 'final.safetensors'), encodeSafetensors(sd));
  tf.dispose(Object.values(sd));
  process.stdout.write(`done ${result.iterations}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
