// Throughput of the seeds' augmentation pipelines on one core (this thread), printed as JSON.
// Run after a build: `npm run build && npm run bench` in packages/transforms (or `npm run bench` at the root).
import { cpus, loadavg } from 'node:os';
import { Rng } from '@residual/random';
import {
  CenterCrop,
  Compose,
  Normalize,
  RandomCrop,
  RandomHorizontalFlip,
  RandomShortestSize,
  Resize,
  AutoAugment,
  TenCrop,
  createImage,
} from '../dist/index.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 2);

/** Deterministic, photo-like (smooth + texture) content; pixel values do not change the cost of these ops. */
function syntheticImage(h, w, k) {
  const img = createImage(h, w, 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      img.data[i] = (128 + 100 * Math.sin(x * 0.05 + k)) & 255;
      img.data[i + 1] = (128 + 100 * Math.cos(y * 0.07 + k)) & 255;
      img.data[i + 2] = (x * 7 + y * 13 + k * 31) & 255;
    }
  }
  return img;
}

function measure(name, pool, transform, perImage = 1) {
  // warm-up (JIT)
  for (let i = 0; i < Math.min(200, pool.length * 4); i++) transform.apply(pool[i % pool.length], Rng.derive(0, 0, i));
  let n = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < seconds) {
    for (let k = 0; k < 16; k++, n++) transform.apply(pool[n % pool.length], Rng.derive(1, 0, n));
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  return {
    name,
    images: n * perImage,
    seconds: +elapsed.toFixed(3),
    // wall clock: what this thread achieved; per CPU-second: robust when other processes share the cores
    imagesPerSecond: Math.round((n * perImage) / elapsed),
    cpuSeconds: +cpu.toFixed(3),
    imagesPerCpuSecond: Math.round((n * perImage) / cpu),
  };
}

const cifarPool = Array.from({ length: 256 }, (_, k) => syntheticImage(32, 32, k));
const imagenetPool = Array.from({ length: 8 }, (_, k) => syntheticImage(375, 500, k));
const cifarNorm = new Normalize({ mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] });
const inNorm = new Normalize({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });

const results = [
  measure('cifar-train: RandomCrop(32, pad 4) + RandomHorizontalFlip + Normalize', cifarPool,
    new Compose([new RandomCrop(32, { padding: 4 }), new RandomHorizontalFlip(), cifarNorm])),
  measure('cifar-train + AutoAugment(cifar10)', cifarPool,
    new Compose([new RandomCrop(32, { padding: 4 }), new RandomHorizontalFlip(), new AutoAugment({ policy: 'cifar10' }), cifarNorm])),
  measure('imagenet-train: RandomShortestSize.range(256, 480) + RandomCrop(224) + flip + Normalize (375x500 input)', imagenetPool,
    new Compose([RandomShortestSize.range(256, 480), new RandomCrop(224), new RandomHorizontalFlip(), inNorm])),
  measure('imagenet-val: Resize(256) + CenterCrop(224) + Normalize (375x500 input)', imagenetPool,
    new Compose([new Resize(256), new CenterCrop(224), inNorm])),
  measure('imagenet-test: Resize(256) + TenCrop(224) (375x500 input), crops/s', imagenetPool,
    new Compose([new Resize(256), new TenCrop(224)]), 10),
];

console.log(JSON.stringify({ package: '@residual/transforms', node: process.version, threads: 1, cpu: cpus()[0]?.model, loadavg: loadavg().map((v) => +v.toFixed(2)), results }, null, 2));
