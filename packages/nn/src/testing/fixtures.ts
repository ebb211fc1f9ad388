// Test helpers: reproduce tools/nn/gen_fixtures.py's formula tensors and compare with its results.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '@residual/tensor';

export interface FormulaSpec {
  shape: number[];
  k: number;
  scale: number;
  offset: number;
  dtype?: 'int64';
}

export interface LayerCase {
  name: string;
  layer: string;
  args: unknown[];
  options: Record<string, unknown>;
  train: boolean;
  input: FormulaSpec;
  state: Record<string, FormulaSpec>;
  keys: Array<[string, number[]]>;
  output: { shape: number[]; data: number[] };
  inputGrad: number[];
  paramGrads: Record<string, number[]>;
  stateAfter: Record<string, number[]>;
}

export const FIXTURES = join(__dirname, '..', '..', 'fixtures');

export function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

/** value[i] = offset + scale · sin(0.37 i + k), in PyTorch layout. */
export function formula(spec: FormulaSpec): tf.Tensor {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = spec.offset + spec.scale * Math.sin(0.37 * i + spec.k);
  const t = tf.tensor(data, spec.shape);
  if (spec.dtype !== 'int64') return t;
  const c = tf.cast(t, 'int32');
  t.dispose();
  return c;
}

/** NCHW → NHWC for rank 4, as is otherwise. */
export function toNHWC(t: tf.Tensor): tf.Tensor {
  return t.rank === 4 ? tf.transpose(t, [0, 2, 3, 1]) : tf.clone(t);
}

export function toNCHW(t: tf.Tensor): tf.Tensor {
  return t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : tf.clone(t);
}

/** max |a − b| / max |b| (normwise relative error); 0 when both are zero. */
export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length)
    throw new Error(`length ${actual.length} ≠ expected ${expected.length}`);
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    ref = Math.max(ref, Math.abs(expected[i]));
  }
  return ref === 0 ? diff : diff / ref;
}

/** Formula state dict of a case (caller disposes). */
export function caseState(c: LayerCase): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(c.state).map(([k, s]) => [k, formula(s)]));
}
