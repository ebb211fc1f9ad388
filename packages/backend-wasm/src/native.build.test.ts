import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { NATIVE_SOURCE_SHA256 } from './kernels/native/binaries';

const pkg = join(__dirname, '..');
const clang = spawnSync('clang', ['--version'], { encoding: 'utf8' });
const haveClang = clang.status === 0;
// CI installs clang and lld and sets RESIDUAL_REQUIRE_CLANG=1, so there the rebuild always runs.
const required = process.env.RESIDUAL_REQUIRE_CLANG === '1';

test('the committed binaries were built from the committed C sources', () => {
  const files = readdirSync(join(pkg, 'native')).filter((f) => f.endsWith('.c')).sort();
  expect(files.length).toBeGreaterThanOrEqual(3);
  const sha = createHash('sha256');
  for (const f of files) sha.update(`${f}\0${readFileSync(join(pkg, 'native', f), 'utf8')}\0`);
  expect(sha.digest('hex')).toBe(NATIVE_SOURCE_SHA256);
});

(haveClang || required ? test : test.skip)('rebuilding native/*.c with clang reproduces src/kernels/native/binaries.ts byte for byte', () => {
  expect(haveClang).toBe(true);
  const out = execFileSync(process.execPath, [join(pkg, 'scripts', 'build-native.mjs'), '--check'], { encoding: 'utf8' });
  expect(out).toMatch(/matches native/);
}, 60_000);
