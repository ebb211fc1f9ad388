// Fault injection: `residual train` killed with SIGKILL again and again — at seeded random moments and
// inside every kind of write (each write pauses half-way under RESIDUAL_FAULT_WRITE_DELAY_MS, and the
// kill is sent while a temp file of the targeted kind exists) — is resumed each time with --resume.
// After every kill no artifact under its final name is truncated or unreadable, and the run that
// finally completes has exactly the weights of an uninterrupted run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors } from '@residual/nn';
import { Rng } from '@residual/tensor';
import { latestValidCheckpoint } from '@residual/train';
import { BIN, runCli } from './run-cli';
import { tinyRecipe } from './tiny-recipe';

const ITERATIONS = 60; // 8 batches an epoch: seven full epochs and a partial one
const KINDS = [
  /^recipe\.json/, /^ckpt-\d+\.safetensors/, /^ckpt-\d+\.json/, /^history\.jsonl/, /^history\.csv/, /^best\./,
  /^model\.safetensors/, /^curves\.svg/, /^curves\.png/, /^report\.json/, /^report\.md/,
];
const BASE = tinyRecipe('fault-tiny', 'ResNet-20 on 8×8 random stand-in images, a few SGD steps: for the crash tests.', ITERATIONS);
const RECIPE = { ...BASE, seed: 3, data: { ...BASE.data, validation: { holdout: 16, seed: 0 } } };

let work: string;
let recipe: string;
const args = (out: string) => ['train', '--recipe', recipe, '--limit-train', '64', '--limit-test', '16', '--checkpoint-every', '2', '--out', out];

/** Every artifact under its final name must be complete. */
function checkArtifacts(dir: string): void {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (/\.tmp-\d+$/.test(f)) continue; // a killed writer's temp file: never read, pruned later
    const bytes = readFileSync(p);
    if (f.endsWith('.json')) JSON.parse(bytes.toString('utf8'));
    else if (f.endsWith('.jsonl')) bytes.toString('utf8').trim().split('\n').forEach((l) => JSON.parse(l));
    else if (f.endsWith('.safetensors')) decodeSafetensors(new Uint8Array(bytes), { source: p });
    else if (f.endsWith('.png')) expect(bytes.subarray(-8).toString('latin1')).toContain('IEND');
    else if (f.endsWith('.svg')) expect(bytes.toString('utf8').trimEnd().endsWith('</svg>')).toBe(true);
    else if (f.endsWith('.csv') || f.endsWith('.md')) expect(bytes.length).toBeGreaterThan(10);
  }
  if (readdirSync(dir).some((f) => /^ckpt-\d+\.json$/.test(f))) expect(latestValidCheckpoint(dir)!.skipped).toEqual([]);
}

/** Start a training run and kill it once a temp file matching `kind` appears, or after `maxMs`. */
function runAndKill(out: string, kind: RegExp, maxMs: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args(out), ...(existsSync(out) ? ['--resume'] : [])], {
      env: { ...process.env, NO_COLOR: '1', RESIDUAL_FAULT_WRITE_DELAY_MS: '150' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    let killed = false;
    const t0 = Date.now();
    const poll = setInterval(() => {
      const hit = existsSync(out) && readdirSync(out).some((f) => /\.tmp-\d+$/.test(f) && kind.test(f));
      if (hit || Date.now() - t0 > maxMs) {
        killed = p.kill('SIGKILL');
        clearInterval(poll);
      }
    }, 5);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearInterval(poll);
      if (!killed && code !== 0) return reject(new Error(`train failed (${code}): ${stderr}`));
      resolve({ killed, code });
    });
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'residual-fault-'));
  recipe = join(work, 'fault-tiny.json');
  writeFileSync(recipe, JSON.stringify(RECIPE));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('survives ≥ 20 SIGKILLs, in every kind of write, and resumes to the weights of an uninterrupted run', async () => {
  const full = join(work, 'full');
  const r = runCli(args(full), { timeoutMs: 240_000 });
  expect(r.code).toBe(0);

  const out = join(work, 'killed');
  const rng = new Rng(20261201);
  let kills = 0;
  const hit = new Set<number>();
  // Written while training (best.* first: it is sure to be written only at the first epoch's end);
  // 6.. only once training has finished.
  const TRAINING = [5, 0, 1, 2, 3, 4];
  // Phase 1, while training: alternate kills inside a training-time write (cycling over the kinds) with
  // kills at random moments, until every training-time kind was hit and there were enough kills.
  let finished = false;
  for (let round = 0; round < 120 && !(TRAINING.every((k) => hit.has(k)) && kills >= 16); round++) {
    // Once each kind was hit, aim only at the ones every checkpoint writes again (best.* may not recur).
    const cycle = TRAINING.every((k) => hit.has(k)) ? [1, 2, 3, 4] : TRAINING;
    const aim = round % 2 === 0 ? cycle[(round / 2) % cycle.length]! : -1;
    const { killed } = await runAndKill(out, aim >= 0 ? KINDS[aim]! : /(?!)/, aim >= 0 ? 60_000 : 200 + rng.uniform() * 1500);
    if (!killed) {
      finished = true;
      break;
    }
    kills++;
    if (aim >= 0) hit.add(aim);
    checkArtifacts(out);
  }
  expect(finished).toBe(false); // ITERATIONS leaves room for every training-time kind
  // Phase 2: once training is done, each final artifact's write is killed in turn.
  for (let aim = 6; aim < KINDS.length; aim++) {
    const { killed } = await runAndKill(out, KINDS[aim]!, 120_000);
    expect(killed).toBe(true);
    kills++;
    hit.add(aim);
    checkArtifacts(out);
  }
  const { killed } = await runAndKill(out, /(?!)/, 240_000);
  expect(killed).toBe(false);
  expect(kills).toBeGreaterThanOrEqual(20);
  expect([...hit].sort((a, b) => a - b)).toEqual(KINDS.map((_, i) => i)); // every kind was hit mid-write
  expect(existsSync(join(out, 'report.json'))).toBe(true);
  checkArtifacts(out);

  const a = decodeSafetensors(new Uint8Array(readFileSync(join(full, 'model.safetensors'))));
  const b = decodeSafetensors(new Uint8Array(readFileSync(join(out, 'model.safetensors'))));
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const key of Object.keys(a)) {
    const x = Buffer.from(a[key]!.dataSync().buffer);
    const y = Buffer.from(b[key]!.dataSync().buffer);
    if (!x.equals(y)) throw new Error(`${key} differs from the uninterrupted run`);
  }
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { iterations: number; test: { acc1: number } };
  const want = JSON.parse(readFileSync(join(full, 'report.json'), 'utf8')) as { iterations: number; test: { acc1: number } };
  expect(report.iterations).toBe(ITERATIONS);
  expect(report.test.acc1).toBe(want.test.acc1);
}, 900_000);
