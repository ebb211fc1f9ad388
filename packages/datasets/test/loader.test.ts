import { join } from 'node:path';
import { ArrayDataset, DataLoader, type Batch, type Dataset } from '../src';
import { tf } from '@residual/tensor';

const AUGMENT = { module: join(__dirname, 'fixtures', 'augment.cjs'), options: { padding: 4 } };

/** 203 synthetic 8x8 RGB images whose pixels encode their index. */
function synthetic(n = 203, size = 8): ArrayDataset {
  const per = size * size * 3;
  const images = new Uint8Array(n * per);
  for (let i = 0; i < n; i++) for (let p = 0; p < per; p++) images[i * per + p] = (i * 13 + p * 5) % 256;
  return new ArrayDataset(images, Int32Array.from({ length: n }, (_, i) => i % 10), { height: size, width: size, channels: 3 });
}

async function collect(loader: DataLoader, max = Infinity): Promise<Array<{ x: Float32Array; y: Int32Array; shape: number[]; indices: number[] }>> {
  const out = [];
  for await (const b of loader) {
    out.push({ x: b.x.dataSync() as Float32Array, y: b.y.dataSync() as Int32Array, shape: b.x.shape, indices: Array.from(b.indices) });
    b.x.dispose();
    b.y.dispose();
    if (out.length >= max) break;
  }
  return out;
}

describe('DataLoader (inline)', () => {
  const ds = synthetic();

  it('batches in order without shuffling, scaling pixels to [0, 1]; last batch partial unless dropLast', async () => {
    const loader = new DataLoader(ds, { batchSize: 64 });
    expect(loader.length).toBe(4);
    const batches = await collect(loader);
    expect(batches.map((b) => b.shape)).toEqual([[64, 8, 8, 3], [64, 8, 8, 3], [64, 8, 8, 3], [11, 8, 8, 3]]);
    expect(batches[1].indices[0]).toBe(64);
    expect(Array.from(batches[1].y.subarray(0, 3))).toEqual([4, 5, 6]);
    expect(batches[1].x[5]).toBeCloseTo(((64 * 13 + 5 * 5) % 256) / 255, 6);
    const dropped = new DataLoader(ds, { batchSize: 64, dropLast: true });
    expect(dropped.length).toBe(3);
    expect((await collect(dropped)).length).toBe(3);
  });

  it('normalizes per channel like torchvision Normalize', async () => {
    const loader = new DataLoader(ds, { batchSize: 2, normalize: { mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.5] } });
    const [b] = await collect(loader, 1);
    const raw = ds.get(0).image!.data;
    for (let p = 0; p < 12; p++) expect(b.x[p]).toBeCloseTo((raw[p] / 255 - [0.5, 0.4, 0.3][p % 3]) / [0.2, 0.25, 0.5][p % 3], 5);
  });

  it('shuffles with a seeded permutation per epoch, each sample once per epoch', async () => {
    const a = new DataLoader(ds, { batchSize: 50, shuffle: true, seed: 7 });
    const e0 = (await collect(a)).flatMap((b) => b.indices);
    const e1 = (await collect(a)).flatMap((b) => b.indices);
    expect([...e0].sort((p, q) => p - q)).toEqual(Array.from({ length: 203 }, (_, i) => i));
    expect(e1).not.toEqual(e0);
    expect(a.state()).toEqual({ epoch: 2, batchIndex: 0, seed: 7 });
    const b = new DataLoader(ds, { batchSize: 50, shuffle: true, seed: 7 });
    expect((await collect(b)).flatMap((x) => x.indices)).toEqual(e0);
    const c = new DataLoader(ds, { batchSize: 50, shuffle: true, seed: 8 });
    expect((await collect(c)).flatMap((x) => x.indices)).not.toEqual(e0);
  });

  it('resumes at the exact next batch from a saved state (augmentations included)', async () => {
    const opts = { batchSize: 32, shuffle: true, seed: 3, transform: AUGMENT };
    const full = new DataLoader(ds, opts);
    await collect(full); // epoch 0
    const reference = await collect(full); // epoch 1
    const first = new DataLoader(ds, opts);
    first.setEpoch(1);
    await collect(first, 3);
    const saved = first.state();
    expect(saved).toEqual({ epoch: 1, batchIndex: 3, seed: 3 });
    const resumed = new DataLoader(ds, { ...opts, seed: 999 });
    resumed.loadState(JSON.parse(JSON.stringify(saved)));
    const rest = await collect(resumed);
    expect(rest.length).toBe(reference.length - 3);
    rest.forEach((b, k) => {
      expect(b.indices).toEqual(reference[k + 3].indices);
      expect(Array.from(b.x)).toEqual(Array.from(reference[k + 3].x));
    });
    expect(() => resumed.loadState({ epoch: 0, batchIndex: 99, seed: 0 })).toThrow(/invalid loader state/);
  });

  it('epochs() iterates successive epochs', async () => {
    const loader = new DataLoader(synthetic(10), { batchSize: 4, shuffle: true });
    const seen: number[] = [];
    for await (const { epoch, batches } of loader.epochs(3)) {
      seen.push(epoch);
      for await (const b of batches) tf.dispose([b.x, b.y]);
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(loader.state().epoch).toBe(3);
  });

  it('keeps the tensor count flat when batches are disposed', async () => {
    const loader = new DataLoader(ds, { batchSize: 16, transform: AUGMENT });
    const before = tf.memory().numTensors;
    for await (const b of loader) {
      expect(tf.memory().numTensors).toBe(before + 2);
      tf.dispose([b.x, b.y]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects live transform objects with workers, and mixed output sizes with a clear message', async () => {
    expect(() => new DataLoader(ds, { numWorkers: 1, transform: { apply: (i) => i } })).toThrow(/TransformSpec/);
    const odd = new DataLoader(ds, {
      batchSize: 4,
      transform: (img, rng) => (rng.uniform() < 2 ? { ...img, height: 4, data: img.data.subarray(0, 96) } : img),
    });
    await expect(collect(odd)).resolves.toHaveLength(51);
    let k = 0;
    const mixed = new DataLoader(ds, { batchSize: 4, transform: (img) => (k++ === 1 ? { ...img, height: 4, data: img.data.subarray(0, 96) } : img) });
    await expect(collect(mixed)).rejects.toThrow(/sample 1 is 4x8x3 after transforms but sample 0 is 8x8x3/);
  });

  it('reads at most `prefetch` batches ahead of a slow consumer (bounded memory)', async () => {
    const base = synthetic(200);
    let reads = 0;
    const counting: Dataset = { length: 200, get: (i) => (reads++, base.get(i)) };
    const loader = new DataLoader(counting, { batchSize: 10, prefetch: 3 });
    const it = loader[Symbol.asyncIterator]();
    const first = await it.next();
    tf.dispose([first.value.x, first.value.y]);
    await new Promise((r) => setTimeout(r, 50));
    expect(reads).toBeLessThanOrEqual((3 + 1) * 10);
    await it.return(undefined);
    expect(loader.state()).toEqual({ epoch: 0, batchIndex: 1, seed: 0 });
  });

  it('drops samples without an image (corrupt, skipped) and counts them', async () => {
    const base = synthetic(10);
    const holes: Dataset = { length: 10, get: (i) => (i % 3 === 0 ? { image: null, label: 0 } : base.get(i)) };
    const loader = new DataLoader(holes, { batchSize: 5 });
    const batches = await collect(loader);
    expect(batches.map((b) => b.indices)).toEqual([[1, 2, 4], [5, 7, 8]]);
    expect(loader.skipped).toBe(4);
  });
});

describe('DataLoader with worker threads (uses the built dist/worker.mjs)', () => {
  const ds = synthetic();
  let inline: Awaited<ReturnType<typeof collect>>;
  beforeAll(async () => {
    inline = await collect(new DataLoader(ds, { batchSize: 24, shuffle: true, seed: 11, transform: AUGMENT, normalize: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } }));
  });

  it.each([1, 2])('gives exactly the inline batches with %i worker(s)', async (numWorkers) => {
    const loader = new DataLoader(ds, {
      batchSize: 24, shuffle: true, seed: 11, numWorkers, prefetch: 3, transform: AUGMENT,
      normalize: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    });
    try {
      const got = await collect(loader);
      expect(got.length).toBe(inline.length);
      got.forEach((b, k) => {
        expect(b.indices).toEqual(inline[k].indices);
        expect(Array.from(b.y)).toEqual(Array.from(inline[k].y));
        expect(Array.from(b.x)).toEqual(Array.from(inline[k].x));
      });
      // The augmentation really ran (batches differ from the raw pixels).
      const raw = ds.get(got[0].indices[0]).image!.data;
      expect(Array.from(got[0].x.subarray(0, raw.length)).some((v, p) => Math.abs(v - (raw[p] / 255 - 0.5) / 0.25) > 1e-4)).toBe(true);
    } finally {
      await loader.close();
    }
  });

  it('reports a transform module that cannot be imported', async () => {
    const loader = new DataLoader(ds, { batchSize: 8, numWorkers: 1, transform: { module: '/nonexistent/transform.mjs' } });
    try {
      await expect(collect(loader)).rejects.toThrow(/cannot import transform module \/nonexistent\/transform.mjs/);
    } finally {
      await loader.close();
    }
  });
});

export type { Batch };

describe('built-in presets (from @residual/transforms)', () => {
  it('cifar-train: identical with 0 and 2 workers, and equal to applying the transforms with Rng.derive(seed, epoch, i)', async () => {
    const { Compose, RandomCrop, RandomHorizontalFlip } = await import('@residual/transforms');
    const { Rng } = await import('@residual/random');
    const { presetSpec } = await import('../src');
    const ds = synthetic(40, 32);
    const opts = { batchSize: 16, shuffle: true, seed: 5, transform: presetSpec('cifar-train') };
    const loader0 = new DataLoader(ds, opts);
    loader0.setEpoch(2);
    const inline = await collect(loader0);
    const loader2 = new DataLoader(ds, { ...opts, numWorkers: 2 });
    loader2.setEpoch(2);
    try {
      const threaded = await collect(loader2);
      threaded.forEach((b, k) => expect(Array.from(b.x)).toEqual(Array.from(inline[k].x)));
    } finally {
      await loader2.close();
    }
    const reference = new Compose([new RandomCrop(32, { padding: 4 }), new RandomHorizontalFlip()]);
    const i = inline[1].indices[3];
    const expected = reference.apply(ds.get(i).image!, Rng.derive(5, 2, i));
    const got = inline[1].x.subarray(3 * 3072, 4 * 3072);
    expect(Array.from(got, (v) => Math.round(v * 255))).toEqual(Array.from(expected.data));
    expect(Array.from(expected.data)).not.toEqual(Array.from(ds.get(i).image!.data));
  });
});
