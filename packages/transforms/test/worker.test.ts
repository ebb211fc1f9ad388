import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Rng } from '@residual/random';
import { AutoAugment, Compose, Normalize, RandomCrop, RandomHorizontalFlip } from '../src/index';
import { loadInputs } from './golden';

/**
 * The uint8 path must run in worker threads (the DataLoader's pool) and give the same bytes there: bundle the
 * package entry (esbuild ships with tsup), run the same pipeline in two workers on interleaved sample indices,
 * and compare with this thread.
 */
describe('worker threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'residual-transforms-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('two workers on interleaved indices reproduce the main thread exactly; the bundle has no tfjs', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    const bundle = join(dir, 'transforms.cjs');
    esbuild.buildSync({
      // the package entry plus Rng, so the worker needs nothing else
      stdin: { contents: `export * from '../src/index'; export { Rng } from '@residual/random';`, resolveDir: __dirname, loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      alias: { '@residual/random': join(__dirname, '..', '..', 'random', 'src', 'index.ts') },
      logLevel: 'silent',
    });
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/@tensorflow/);

    const inputs = loadInputs().slice(0, 3);
    const seed = 77;
    const indices = Array.from({ length: 12 }, (_, i) => i);
    const pipeline = new Compose([
      new RandomCrop(24, { padding: 4 }),
      new RandomHorizontalFlip(),
      new AutoAugment({ policy: 'cifar10' }),
      new Normalize({ mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] }),
    ]);
    const expected = indices.map((i) => pipeline.apply(inputs[i % 3], Rng.derive(seed, 2, i)).data);

    const workerSource = `
      const { parentPort, workerData } = require('node:worker_threads');
      const T = require(workerData.bundle);
      const pipeline = new T.Compose([
        new T.RandomCrop(24, { padding: 4 }),
        new T.RandomHorizontalFlip(),
        new T.AutoAugment({ policy: 'cifar10' }),
        new T.Normalize({ mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] }),
      ]);
      const out = workerData.indices.map((i) => {
        const img = workerData.inputs[i % 3];
        return [i, pipeline.apply(img, T.Rng.derive(workerData.seed, 2, i)).data];
      });
      parentPort.postMessage(out);
    `;
    const run = (subset: number[]): Promise<Array<[number, Float32Array]>> =>
      new Promise((resolve, reject) => {
        const w = new Worker(workerSource, { eval: true, workerData: { bundle, inputs, indices: subset, seed } });
        w.once('message', (m) => {
          resolve(m as Array<[number, Float32Array]>);
          void w.terminate();
        });
        w.once('error', reject);
      });
    const [a, b] = await Promise.all([run(indices.filter((i) => i % 2 === 0)), run(indices.filter((i) => i % 2 === 1).reverse())]);
    const got = new Map<number, Float32Array>([...a, ...b]);
    expect(got.size).toBe(indices.length);
    for (const i of indices) expect(Array.from(got.get(i)!)).toEqual(Array.from(expected[i]));
  });
});
