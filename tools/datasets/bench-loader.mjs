#!/usr/bin/env node
// DataLoader throughput on the CIFAR pipeline: synthetic records in the published binary format
// (1 label byte + 3072 planar pixels) -> parseCifarBinary -> RandomCrop(32, pad 4) + HorizontalFlip
// + Normalize in 0, 1 and 2 worker threads -> NHWC float32 tensors. Prints one JSON object.
// Usage: node tools/datasets/bench-loader.mjs [--images 10000] [--batch 128] [--batches 60]
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { ArrayDataset, CIFAR10_NORMALIZE, DataLoader, parseCifarBinary, presetSpec } from '@residual/datasets';
import { tf } from '@residual/tensor';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const numImages = arg('images', 10000);
const batchSize = arg('batch', 128);
const maxBatches = arg('batches', 60);

const records = new Uint8Array(numImages * 3073);
let x = 12345;
for (let i = 0; i < records.length; i++) {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0; // LCG: synthetic pixels only, no randomness semantics
  records[i] = i % 3073 === 0 ? (x >>> 16) % 10 : x >>> 24;
}
const { images, labels } = parseCifarBinary(records, 'synthetic', 1, 10);
const dataset = new ArrayDataset(images, labels, { height: 32, width: 32, channels: 3 });

async function measure(numWorkers) {
  const loader = new DataLoader(dataset, {
    batchSize, shuffle: true, seed: 0, numWorkers, transform: presetSpec('cifar-train'), normalize: CIFAR10_NORMALIZE,
  });
  try {
    let n = 0;
    let t0 = 0;
    const warmup = 5;
    for (;;) {
      for await (const b of loader) {
        tf.dispose([b.x, b.y]);
        n++;
        if (n === warmup) t0 = performance.now();
        if (n >= warmup + maxBatches) break;
      }
      if (n >= warmup + maxBatches) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    return { numWorkers, batches: maxBatches, seconds: +seconds.toFixed(3), batchesPerSecond: +(maxBatches / seconds).toFixed(2), imagesPerSecond: Math.round((maxBatches * batchSize) / seconds) };
  } finally {
    await loader.close();
  }
}

const results = [];
for (const w of [0, 1, 2]) results.push(await measure(w));
console.log(JSON.stringify({
  benchmark: 'datasets/dataloader-cifar-pipeline',
  pipeline: 'CIFAR binary records -> RandomCrop(32,pad=4)+RandomHorizontalFlip -> Normalize -> tf.tensor4d NHWC',
  batchSize, images: numImages, cpus: os.cpus().length, node: process.version, tfBackend: tf.getBackend(), results,
}, null, 2));
