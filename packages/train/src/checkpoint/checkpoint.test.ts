import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, useBackend, seed } from '@residual/tensor';
import { decodeSafetensors, encodeSafetensors, readSafetensorsHeader } from '@residual/nn';
import { writeFileAtomic } from './atomic';
import { CheckpointCorruptError, latestValidCheckpoint, listCheckpoints, loadCheckpoint, restoreModel, restoreOptimizer, saveCheckpoint } from './checkpoint';
import { sgd } from '../optim/sgd';
import { tinyNet } from '../testing/helpers';

const meta = { epoch: 1, iteration: 5, epochIteration: 0, scheduler: null, rng: null, loader: null, best: null, extra: {} };

describe('checkpoints', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('cpu');
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'residual-ckpt-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a safetensors file written from the specification (F32, F64, I32, I64, metadata)', () => {
    const bytes = new Uint8Array(readFileSync(join(__dirname, '../../fixtures/spec.safetensors')));
    expect(readSafetensorsHeader(bytes).metadata).toEqual({ format: 'pt' });
    const tensors = decodeSafetensors(bytes);
    expect(tensors['conv.weight'].shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(tensors['conv.weight'].dataSync())).toEqual(Array.from({ length: 24 }, (_, i) => i * 0.5));
    expect(tensors['bn.num_batches_tracked']).toMatchObject({ dtype: 'int32', shape: [] });
    expect(Array.from(tensors['bn.num_batches_tracked'].dataSync())).toEqual([7]);
    expect(Array.from(tensors['fc.bias'].dataSync())).toEqual([1.5, -2.25]);
    expect(Array.from(tensors.idx.dataSync())).toEqual([1, -2, 3, 4]);
    tf.dispose(Object.values(tensors));
  });

  it('writes aligned headers it reads back, and rejects truncated files by name', () => {
    const input = { a: tf.tensor2d([[1, 2], [3, 4]]), b: tf.tensor1d([5], 'int32') };
    const bytes = encodeSafetensors(input, { metadata: { k: 'v' } });
    tf.dispose(Object.values(input));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    expect(Array.from(back.a.dataSync())).toEqual([1, 2, 3, 4]);
    expect(readSafetensorsHeader(bytes).metadata).toEqual({ k: 'v' });
    tf.dispose(Object.values(back));
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 3), { source: 'x.safetensors' })).toThrow(/x\.safetensors: tensor 'b'/);
  });

  it('round-trips model and optimizer state; keepLast prunes; a half-written file is detected', async () => {
    seed(0);
    const model = tinyNet();
    const opt = sgd({ params: model, lr: 0.1, momentum: 0.9 });
    const grads = Object.fromEntries(model.namedParameters().map(([n, v]) => [n, tf.onesLike(v)]));
    opt.step(grads);
    for (let it = 1; it <= 4; it++) await saveCheckpoint({ dir, model, optimizer: opt, meta: { ...meta, iteration: it }, keepLast: 2 });
    expect(listCheckpoints(dir).map((p) => p.slice(-19))).toEqual(['ckpt-000000003.json', 'ckpt-000000004.json']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors'))).toHaveLength(2);

    const ck = loadCheckpoint(dir);
    expect(ck.meta.iteration).toBe(4);
    seed(1);
    const other = tinyNet();
    const opt2 = sgd({ params: other, lr: 0.1, momentum: 0.9 });
    restoreModel(other, ck);
    restoreOptimizer(opt2, ck);
    const a = model.stateDict();
    const b = other.stateDict();
    for (const k of Object.keys(a)) expect(Array.from(b[k].dataSync())).toEqual(Array.from(a[k].dataSync()));
    const sa = opt.state().tensors;
    const sb = opt2.state().tensors;
    expect(Object.keys(sb).sort()).toEqual(Object.keys(sa).sort());
    for (const k of Object.keys(sa)) expect(Array.from(sb[k].dataSync())).toEqual(Array.from(sa[k].dataSync()));

    truncateSync(join(dir, 'ckpt-000000004.safetensors'), 100);
    expect(() => loadCheckpoint(dir)).toThrow(/ckpt-000000004\.safetensors: 100 bytes, the checkpoint recorded/);
  });

  it('writeFileAtomic leaves no temp file; a stale temp of a killed writer is not a checkpoint and is pruned', async () => {
    writeFileSync(join(dir, 'ckpt-000000009.json.tmp-999999'), '{"half');
    writeFileAtomic(join(dir, 'x.txt'), 'hello');
    expect(readFileSync(join(dir, 'x.txt'), 'utf8')).toBe('hello');
    expect(readdirSync(dir).filter((f) => f.startsWith('x.txt'))).toEqual(['x.txt']);
    expect(listCheckpoints(dir)).toEqual([]);
    seed(0);
    await saveCheckpoint({ dir, model: tinyNet(), meta, keepLast: 1 });
    expect(readdirSync(dir).some((f) => f.includes('.tmp-'))).toBe(false);
  });
  it('detects a bit flip inside the weights by SHA-256 and falls back to the newest valid checkpoint', async () => {
    seed(0);
    const model = tinyNet();
    for (let it = 1; it <= 3; it++) await saveCheckpoint({ dir, model, meta: { ...meta, iteration: it } });
    const newest = listCheckpoints(dir).at(-1)!;
    const weights = newest.replace(/\.json$/, '.safetensors');
    const bytes = readFileSync(weights);
    bytes[bytes.length - 5] ^= 0x10; // one bit of one float: same size, still parses
    writeFileSync(weights, bytes);
    expect(() => loadCheckpoint(newest)).toThrow(CheckpointCorruptError);
    expect(() => loadCheckpoint(newest)).toThrow(/SHA-256 .* differs/);
    const found = latestValidCheckpoint(dir)!;
    expect(found.checkpoint.meta.iteration).toBe(2);
    expect(found.skipped).toHaveLength(1);
    expect(found.skipped[0]).toContain('ckpt-000000003.safetensors');
    // Every checkpoint corrupt: a clear error, not a resume from garbage.
    for (const json of listCheckpoints(dir)) writeFileSync(json.replace(/\.json$/, '.safetensors'), 'x');
    expect(() => latestValidCheckpoint(dir)).toThrow(/every checkpoint is corrupt/);
    expect(latestValidCheckpoint(join(dir, 'none'))).toBeNull();
  });
});
