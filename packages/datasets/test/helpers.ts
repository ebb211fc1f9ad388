import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'residual-datasets-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Pixel value of image `n`, row `r`, column `c`, channel `ch` in the synthetic CIFAR data. */
export const pixel = (n: number, r: number, c: number, ch: number): number => (n * 31 + r * 7 + c * 3 + ch * 101) % 256;

/**
 * CIFAR binary records exactly as published: `labelBytes` label bytes (CIFAR-100: coarse, fine), then
 * the R plane, G plane and B plane (1024 bytes each, row-major).
 */
export function cifarRecords(count: number, labels: (n: number) => number[], start = 0): Uint8Array {
  const lb = labels(0).length;
  const rec = lb + 3072;
  const out = new Uint8Array(count * rec);
  for (let k = 0; k < count; k++) {
    const n = start + k;
    const off = k * rec;
    labels(n).forEach((l, j) => (out[off + j] = l));
    for (let ch = 0; ch < 3; ch++)
      for (let r = 0; r < 32; r++) for (let c = 0; c < 32; c++) out[off + lb + ch * 1024 + r * 32 + c] = pixel(n, r, c, ch);
  }
  return out;
}
