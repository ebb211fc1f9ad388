// Child process of sgd-resnet20.test.ts (bundled by esbuild at test time, run with plain node, where
// tfjs's cpu kernels run 20-70x faster than inside jest's sandbox): three SGD steps of ResNet-20 on the
// formula weights and the fixture's formula batches, then <out>.safetensors (the state dict) and
// <out>.json (the losses).
//   node child.cjs <cpu|wasm> <fixture.json> <out>
import { readFileSync, writeFileSync } from 'node:fs';
import { tf, useBackend } from '@residual/tensor';
import '@residual/backend-wasm';
import { createModel } from '@residual/zoo';
import { loadFormulaWeights } from '../../zoo/src/testing/formula';
import { fit, sgd } from '../src';
import { encodeSafetensors } from '@residual/nn';
import { formulaBatch, type SgdFixture } from './sgd-resnet20-data';

async function main(): Promise<void> {
  const [backend, fixture, out] = process.argv.slice(2);
  const fx = JSON.parse(readFileSync(fixture, 'utf8')) as SgdFixture;
  await useBackend(backend as 'cpu' | 'wasm');
  const model = createModel('resnet20', { numClasses: 10 });
  loadFormulaWeights(model);
  const losses: number[] = [];
  const t0 = Date.now();
  await fit({
    model, train: Array.from({ length: fx.steps }, (_, t) => formulaBatch(fx, t)), iterations: fx.steps, progress: false,
    optimizer: sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 }),
    callbacks: { onBatchEnd: (i) => void losses.push(i.loss) },
  });
  const sd = model.stateDict();
  writeFileSync(`${out}.safetensors`, encodeSafetensors(sd));
  writeFileSync(`${out}.json`, JSON.stringify({ backend: tf.getBackend(), losses, ms: Date.now() - t0 }));
  tf.dispose(Object.values(sd));
  model.dispose();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
