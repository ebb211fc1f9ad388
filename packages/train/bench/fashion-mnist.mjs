#!/usr/bin/env node
// ResNet-20 on Fashion-MNIST with the paper's optimizer (SGD, lr 0.1, momentum 0.9, weight decay 1e-4,
// batch 128), one epoch by default, then test-set top-1/top-5 error. A benchmark/example run, not a test:
//
//   npx turbo run build --filter=@residual/train...      # the script imports the built packages
//   RESIDUAL_WASM_THREADS=auto node packages/train/bench/fashion-mnist.mjs [--epochs 1] [--iterations N]
//        [--backend wasm|cpu] [--out runs/fashion-mnist] [--batch 128]
//
// Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist) or $RESIDUAL_DATA/fashion-mnist.
// Images stay 28x28 (the CIFAR ResNet's global average pooling takes any size); inChannels 1.
// Prints a JSON summary on stdout; writes checkpoints, history.{jsonl,csv} and curves.{svg,png} to --out.
import { parseArgs } from 'node:util';
import { useBackend, seed, backendInfo } from '@residual/tensor';
import { FashionMNIST, DataLoader } from '@residual/datasets';
import { createModel } from '@residual/zoo';
import { fit, sgd, multiStepLR, plotHistory } from '@residual/train';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '1' },
    iterations: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: 'runs/fashion-mnist' },
    batch: { type: 'string', default: '128' },
    seed: { type: 'string', default: '0' },
  },
});

if (values.backend === 'wasm') {
  const wasm = await import('@residual/backend-wasm');
  await wasm.applyThreadsFromEnv?.();
}
await useBackend(values.backend);
seed(Number(values.seed));

// Fashion-MNIST statistics of the training set, as commonly used with torchvision's Normalize.
const normalize = { mean: [0.286], std: [0.353] };
const batchSize = Number(values.batch);
const trainSet = await FashionMNIST.load({ split: 'train' });
const testSet = await FashionMNIST.load({ split: 'test' });
const train = new DataLoader(trainSet, { batchSize, shuffle: true, seed: Number(values.seed), normalize });
const test = new DataLoader(testSet, { batchSize: 500, normalize });

const model = createModel('resnet20', { numClasses: 10, inChannels: 1 });
const optimizer = sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
const epochs = Number(values.epochs);
// The paper divides lr by 10 at 50% and 75% of training; with one epoch that is mid-epoch, per iteration.
const total = values.iterations ? Number(values.iterations) : epochs * train.length;
const scheduler = multiStepLR(optimizer, { milestones: [Math.floor(total * 0.5), Math.floor(total * 0.75)], interval: 'iteration' });

const t0 = performance.now();
const result = await fit({
  model, train, val: test, optimizer, scheduler, epochs, iterations: values.iterations ? total : undefined,
  checkpointDir: values.out, keepLast: 1, config: { script: 'bench/fashion-mnist.mjs', ...values },
});
const seconds = (performance.now() - t0) / 1000;
const last = result.history.at(-1); // fit evaluated the test set (eval mode) after the last step
await plotHistory(result.history, { out: `${values.out}/curves`, title: 'ResNet-20 on Fashion-MNIST', x: 'iteration' });
await train.close?.();
console.log(JSON.stringify({
  model: 'resnet20', dataset: 'fashion-mnist', backend: backendInfo(), batchSize, iterations: result.iterations, seconds,
  imagesPerSec: (result.iterations * batchSize) / seconds,
  test: { top1Accuracy: last.val_acc1, top1Error: 1 - last.val_acc1, top5Error: 1 - last.val_acc5, loss: last.val_loss },
  history: result.history,
}, null, 1));
