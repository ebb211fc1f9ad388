#!/usr/bin/env node
// Times the batch-norm passes of native/batch_norm.c on one thread, outside tfjs, against a plain copy of
// the same array: which passes are bound by memory and which by their arithmetic.
//
//   node scripts/bn-bench.mjs                 the committed native/batch_norm.c
//   node scripts/bn-bench.mjs path/to/alt.c   that file too, alternating with the committed one
//
// Needs Debian's clang 19 and lld 19 (as build-native.mjs). Relaxed-SIMD build, ordinary memory. Prints, per
// activation shape of a CIFAR ResNet (batch 128), each pass's best time of 8 runs and the bytes it moves per
// second (stats reads x; normalize reads x and the residual and writes y and the 16-bit ReLU mask;
// grad_sums reads dy, the mask and x and writes dz; grad_dx reads dz and x and writes dx).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = [join(pkg, 'native', 'batch_norm.c'), ...process.argv.slice(2)];
const tmp = mkdtempSync(join(tmpdir(), 'residual-bn-bench-'));
const memory = new WebAssembly.Memory({ initial: 8192, maximum: 65536 });
const flags = [
  '--target=wasm32',
  '-O3',
  '-msimd128',
  '-mrelaxed-simd',
  '-nostdlib',
  '-ffreestanding',
  '-fno-builtin',
];
const modules = [];
try {
  for (const [i, src] of sources.entries()) {
    const o = join(tmp, `bn${i}.o`);
    const wasm = join(tmp, `bn${i}.wasm`);
    execFileSync(process.env.CLANG ?? 'clang-19', [...flags, '-c', '-o', o, src]);
    execFileSync(process.env.WASM_LD ?? 'wasm-ld-19', [
      '--no-entry',
      '--import-memory',
      '--max-memory=4294967296',
      '--strip-all',
      '-o',
      wasm,
      o,
    ]);
    modules.push((await WebAssembly.instantiate(readFileSync(wasm), { env: { memory } })).instance.exports);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const F = new Float32Array(memory.buffer);
const best = (f) => {
  f();
  let b = Infinity;
  for (let i = 0; i < 8; i++) {
    const t = performance.now();
    f();
    b = Math.min(b, performance.now() - t);
  }
  return b;
};
for (const [P, C] of [
  [131072, 16],
  [32768, 32],
  [8192, 64],
]) {
  let top = 1 << 20;
  const alloc = (n) => {
    const p = top;
    top += (n * 4 + 63) & ~63;
    return p;
  };
  const [x, y, r, dy, dz, dx] = [0, 1, 2, 3, 4, 5].map(() => alloc(P * C));
  // Per chunk 2·C float64 sums: 4·C float32 slots, at most 64 chunks (bn_chunk).
  const [acc, mean, variance, k, offset, A, B, K] = [4 * 64, 1, 1, 1, 1, 1, 1, 1].map((m) => alloc(m * C));
  const mask = alloc(P * C);
  for (let i = 0; i < P * C; i++) {
    F[x / 4 + i] = Math.sin(i);
    F[r / 4 + i] = Math.cos(i);
    F[dy / 4 + i] = Math.sin(i * 0.7);
  }
  for (let c = 0; c < C; c++) {
    F[k / 4 + c] = 1;
    F[offset / 4 + c] = 0.1;
  }
  const mb = (P * C * 4) / 1e6;
  const copy = best(() => F.copyWithin(y / 4, x / 4, x / 4 + P * C));
  const rate = (passes, ms) => `${ms.toFixed(2)} ms ${((passes * mb) / ms).toFixed(0)} GB/s`;
  console.log(`P=${P} C=${C} (${mb.toFixed(1)} MB): copy ${rate(2, copy)}`);
  for (const [i, E] of modules.entries()) {
    const chunk = E.bn_chunk(P);
    const chunks = Math.ceil(P / chunk);
    const stats = best(() => {
      E.bn_sums_chunks(x, 0, 0, 0, 0, 0, P, C, chunk, 0, chunks, acc);
      E.bn_sums_total(acc, chunks, C);
      E.bn_moments(acc, P, C, mean, variance);
    });
    const normalize = best(() => E.bn_normalize(x, y, mean, k, offset, r, 1, mask, 0, P, C));
    const sums = best(() => {
      E.bn_sums_chunks(dy, x, 0, mask, dz, mean, P, C, chunk, 0, chunks, acc);
      E.bn_sums_total(acc, chunks, C);
    });
    const dxPass = best(() => E.bn_grad_dx(dz, 0, 0, x, mean, K, A, B, 0, P, C, dx));
    console.log(
      `  ${i === 0 ? 'native/batch_norm.c' : sources[i]}: stats ${rate(1, stats)} | normalize ${rate(3.5, normalize)} | ` +
        `grad_sums ${rate(3.5, sums)} | grad_dx ${rate(3, dxPass)}`,
    );
  }
}
