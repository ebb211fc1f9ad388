/** Reads the torchvision golden fixtures written by tools/transforms/gen_golden.py. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Image } from '../src/image';

export const GOLDEN_DIR = join(__dirname, '..', 'fixtures', 'golden');

export interface GoldenCase {
  image: number;
  params: Record<string, any>;
  shape: [number, number, number];
  part?: number;
  sha256?: string;
  offset?: number;
}

export function loadInputs(): Image[] {
  const meta = JSON.parse(readFileSync(join(GOLDEN_DIR, 'inputs.json'), 'utf8')) as {
    images: Array<{ name: string; height: number; width: number; channels: number; offset: number }>;
  };
  const blob = readFileSync(join(GOLDEN_DIR, 'inputs.bin'));
  return meta.images.map((m) => {
    const n = m.height * m.width * m.channels;
    return { data: new Uint8Array(blob.subarray(m.offset, m.offset + n)), height: m.height, width: m.width, channels: m.channels };
  });
}

export function loadOp(op: string): { exact: boolean; cases: GoldenCase[]; blob: Uint8Array | null } {
  const j = JSON.parse(readFileSync(join(GOLDEN_DIR, `${op}.json`), 'utf8')) as { exact: boolean; cases: GoldenCase[] };
  const blob = j.exact ? null : new Uint8Array(gunzipSync(readFileSync(join(GOLDEN_DIR, `${op}.bin.gz`))));
  return { exact: j.exact, cases: j.cases, blob };
}

export interface Comparison {
  cases: number;
  values: number;
  exactValues: number;
  within1: number;
  maxDiff: number;
  shapeErrors: string[];
  digestErrors: string[];
  /** per group (see `groupOf`): values, exact values, values within 1 LSB, worst case label */
  groups: Map<string, { values: number; exact: number; within1: number; maxDiff: number; worst: string }>;
}

/** Run `fn` on every case of `op` and compare with torchvision's output. */
export function compareOp(
  op: string,
  inputs: Image[],
  fn: (img: Image, params: Record<string, any>, c: GoldenCase) => Image,
  groupOf: (c: GoldenCase) => string = () => op,
): Comparison {
  const { cases, blob } = loadOp(op);
  const r: Comparison = { cases: cases.length, values: 0, exactValues: 0, within1: 0, maxDiff: 0, shapeErrors: [], digestErrors: [], groups: new Map() };
  for (const c of cases) {
    const out = fn(inputs[c.image], c.params, c);
    const label = `${op} image ${c.image} ${JSON.stringify(c.params)}${c.part !== undefined ? ` part ${c.part}` : ''}`;
    const [h, w, ch] = c.shape;
    if (out.height !== h || out.width !== w || out.channels !== ch) {
      r.shapeErrors.push(`${label}: got ${out.height}x${out.width}x${out.channels}, torchvision ${h}x${w}x${ch}`);
      continue;
    }
    const n = h * w * ch;
    r.values += n;
    if (c.sha256 !== undefined) {
      const digest = createHash('sha256').update(out.data).digest('hex');
      if (digest === c.sha256) {
        r.exactValues += n;
        r.within1 += n;
      } else r.digestErrors.push(label);
      continue;
    }
    const ref = blob!.subarray(c.offset!, c.offset! + n);
    const key = groupOf(c);
    let g = r.groups.get(key);
    if (!g) r.groups.set(key, (g = { values: 0, exact: 0, within1: 0, maxDiff: 0, worst: '' }));
    g.values += n;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(out.data[i] - ref[i]);
      if (d === 0) r.exactValues++, g.exact++;
      if (d <= 1) r.within1++, g.within1++;
      if (d > r.maxDiff) r.maxDiff = d;
      if (d > g.maxDiff) (g.maxDiff = d), (g.worst = label);
    }
  }
  return r;
}

export function summary(op: string, r: Comparison): string {
  return `${op}: ${r.cases} cases, ${r.values} values, exact ${((100 * r.exactValues) / Math.max(1, r.values)).toFixed(3)}%, ` +
    `within 1 LSB ${((100 * r.within1) / Math.max(1, r.values)).toFixed(3)}%, max diff ${r.maxDiff}`;
}
