import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// Runs the BUILT package (dist/, as published) in a fresh Node process: ESM and CJS entry points, and
// the worker script piscina loads. The test task depends on `build`, so dist/ exists in CI.
const pkgDir = join(__dirname, '..');
const dist = join(pkgDir, 'dist');

const script = `
const { ArrayDataset, DataLoader, presetSpec } = await import(process.env.ENTRY);
const n = 20, per = 32 * 32 * 3;
const images = new Uint8Array(n * per).map((_, i) => (i * 7) % 256);
const ds = new ArrayDataset(images, Int32Array.from({ length: n }, (_, i) => i % 10), { height: 32, width: 32, channels: 3 });
const sums = [];
for (const numWorkers of [0, 2]) {
  const loader = new DataLoader(ds, { batchSize: 8, shuffle: true, seed: 3, numWorkers, transform: presetSpec('cifar-train') });
  let s = 0;
  for await (const b of loader) { s += b.x.sum().arraySync() + b.y.sum().arraySync(); b.x.dispose(); b.y.dispose(); }
  await loader.close();
  sums.push(Math.round(s * 1000));
}
console.log(JSON.stringify(sums));
`;

(existsSync(join(dist, 'worker.mjs')) ? describe : describe.skip)('built package', () => {
  it.each([
    ['ESM', join(dist, 'index.mjs')],
    ['CJS', join(dist, 'index.js')],
  ])('%s entry runs a loader inline and with 2 workers, with identical results', (_kind, entry) => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: pkgDir,
      env: { ...process.env, ENTRY: entry },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [inline, threaded] = JSON.parse(out.trim().split('\n').pop() as string) as number[];
    expect(inline).toBeGreaterThan(0);
    expect(threaded).toBe(inline);
  });
});
