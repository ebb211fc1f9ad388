// A run killed with SIGKILL mid-training and resumed from its last checkpoint ends with weights
// bit-identical to an uninterrupted run (cpu backend); the checkpoint directory is always loadable.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { loadCheckpoint } from '../src';
import { decodeSafetensors } from '@residual/nn';

const ROOT = resolve(__dirname, '../../..');
const ITERS = 23;
let work: string;
let child: string;

function runChild(dir: string): { stdout: string; status: number | null } {
  const r = spawnSync(process.execPath, [child, dir, String(ITERS)], { env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') }, encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return { stdout: r.stdout, status: r.status };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'residual-resume-'));
  child = join(work, 'child.cjs');
  // Sources of every package but @residual/tensor, whose build bundles tfjs-core's ESM-only gradient
  // registrations (plain node cannot load those files; jest transpiles them, node does not).
  const alias = Object.fromEntries(
    readdirSync(join(ROOT, 'packages')).map((p) => [`@residual/${p}`, p === 'tensor' ? join(ROOT, 'packages', p, 'dist', 'index.js') : join(ROOT, 'packages', p, 'src', 'index.ts')]),
  );
  buildSync({
    entryPoints: [join(__dirname, 'resume-child.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    outfile: child, alias, external: ['@tensorflow/*', 'sharp', 'piscina'], logLevel: 'error',
  });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('SIGKILL after k steps, resume, and the final weights equal an uninterrupted run bit for bit', async () => {
  const full = join(work, 'full');
  expect(runChild(full).stdout).toContain(`done ${ITERS}`);

  const killed = join(work, 'killed');
  const k = 9; // mid-epoch (5 batches per epoch) and after the first lr milestone
  const p = spawn(process.execPath, [child, killed, String(ITERS), '150'], { env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') }, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((res) => p.on('exit', (_code, sig) => res(sig)));
  const marker = join(killed, `ckpt-${String(k).padStart(9, '0')}.json`);
  const t0 = Date.now();
  while (!existsSync(marker)) {
    if (Date.now() - t0 > 90000) throw new Error('child never reached step k');
    await new Promise((r) => setTimeout(r, 10));
  }
  p.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  expect(existsSync(join(killed, 'final.safetensors'))).toBe(false);
  // Whatever the moment of the kill, the newest checkpoint is complete.
  const ck = loadCheckpoint(killed);
  expect(ck.meta.iteration).toBeGreaterThanOrEqual(k);
  expect(ck.meta.iteration).toBeLessThan(ITERS);

  const resumed = runChild(killed).stdout;
  expect(resumed).toMatch(new RegExp(`resumed from .*ckpt-0+${ck.meta.iteration}\\.json`));
  expect(resumed).toContain(`done ${ITERS}`);

  const a = decodeSafetensors(new Uint8Array(readFileSync(join(full, 'final.safetensors'))));
  const b = decodeSafetensors(new Uint8Array(readFileSync(join(killed, 'final.safetensors'))));
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  const bytesOf = (t: (typeof a)[string]): Buffer => Buffer.from((t.dataSync() as Float32Array | Int32Array).buffer);
  for (const key of Object.keys(a)) expect(bytesOf(b[key]).equals(bytesOf(a[key]))).toBe(true);
  // Same history too: the resumed run carried the interrupted epoch's sums over.
  expect(readFileSync(join(killed, 'history.csv'), 'utf8').split('\n').map((l) => l.split(',').slice(0, 9).join(',')))
    .toEqual(readFileSync(join(full, 'history.csv'), 'utf8').split('\n').map((l) => l.split(',').slice(0, 9).join(',')));
});
