import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { NATIVE_SOURCE_SHA256, NATIVE_WASM_BASE64 } from './kernels/native/binaries';

const pkg = join(__dirname, '..');
const clang = spawnSync(process.env.CLANG ?? 'clang-19', ['--version'], { encoding: 'utf8' });
const haveClang = clang.status === 0;
// CI installs clang-19 and lld-19 and sets RESIDUAL_REQUIRE_CLANG=1, so there the rebuild always runs.
const required = process.env.RESIDUAL_REQUIRE_CLANG === '1';

test('the committed binaries were built from the committed C sources', () => {
  const files = readdirSync(join(pkg, 'native')).filter((f) => /\.(c|h)$/.test(f)).sort();
  expect(files.length).toBeGreaterThanOrEqual(4);
  const sha = createHash('sha256');
  for (const f of files) sha.update(`${f}\0${readFileSync(join(pkg, 'native', f), 'utf8')}\0`);
  expect(sha.digest('hex')).toBe(NATIVE_SOURCE_SHA256);
});

(haveClang || required ? test : test.skip)('rebuilding native/*.c with clang-19 reproduces src/kernels/native/binaries.ts byte for byte', () => {
  expect(haveClang).toBe(true);
  const out = execFileSync(process.execPath, [join(pkg, 'scripts', 'build-native.mjs'), '--check'], { encoding: 'utf8' });
  expect(out).toMatch(/matches native/);
}, 60_000);

test('the relaxed-SIMD build is chosen where WebAssembly accepts it, and RESIDUAL_WASM_RELAXED_SIMD=0 turns it off', async () => {
  const relaxedBytes = Buffer.from(NATIVE_WASM_BASE64.plainRelaxed, 'base64');
  expect(relaxedBytes.equals(Buffer.from(NATIVE_WASM_BASE64.plain, 'base64'))).toBe(false);
  // V8 accepts relaxed SIMD by default from Node 22 (V8 11.4+); Node 20 only behind a flag.
  const accepted = Number(process.versions.node.split('.')[0]) >= 22;
  expect(WebAssembly.validate(relaxedBytes)).toBe(accepted);
  const choice = async (env: string | undefined): Promise<boolean> => {
    const old = process.env.RESIDUAL_WASM_RELAXED_SIMD;
    if (env === undefined) delete process.env.RESIDUAL_WASM_RELAXED_SIMD;
    else process.env.RESIDUAL_WASM_RELAXED_SIMD = env;
    try {
      let r = false;
      await jest.isolateModulesAsync(async () => {
        r = (await import('./kernels/native/runtime')).relaxedSimd();
      });
      return r;
    } finally {
      if (old === undefined) delete process.env.RESIDUAL_WASM_RELAXED_SIMD;
      else process.env.RESIDUAL_WASM_RELAXED_SIMD = old;
    }
  };
  expect(await choice(undefined)).toBe(accepted);
  expect(await choice('0')).toBe(false);
});
