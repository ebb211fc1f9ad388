// Weights and inputs written by the closed-form formula of tools/zoo/gen_fixtures.py, so tests can
// give a model exactly the weights PyTorch had without committing weight files. Keep the two in step.
import { tf } from '@residual/tensor';
import type { Module } from '@residual/nn';

// Hoisted: under jest every global lookup in a hot loop goes through the vm context's interceptor.
const { imul, abs, sqrt } = Math;

/** u(i, k) ∈ [-1, 1) for i = 0..n-1, from a uint32 integer hash (bit-identical to the Python one). */
export function formulaUniform(n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  const seedK = (imul(k, 0x85ebca77) + 0x27d4eb2f) | 0;
  for (let i = 0; i < n; i++) {
    let h = imul(i, 0x9e3779b1) ^ seedK;
    h ^= h >>> 16;
    h = imul(h, 0x7feb352d);
    h ^= h >>> 15;
    h = imul(h, 0x846ca68b);
    h ^= h >>> 16;
    out[i] = ((h >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/**
 * The float32 formula values of state-dict tensor `key` of PyTorch shape `shape` (flat, PyTorch layout),
 * `k` its index in the sorted key list. `num_batches_tracked` is all zeros.
 */
export function formulaValues(key: string, shape: number[], k: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (key.endsWith('num_batches_tracked')) return new Float32Array(n);
  const u = formulaUniform(n, k);
  const v = new Float32Array(n);
  let f: (x: number) => number;
  if (key.endsWith('running_mean')) f = (x) => 0.1 * x;
  else if (key.endsWith('running_var')) f = (x) => 1 + 0.5 * abs(x);
  else if (key.endsWith('bias')) f = (x) => 0.1 * x;
  else if (key.endsWith('weight') && shape.length === 4) {
    const s = sqrt(6 / (shape[1] * shape[2] * shape[3]));
    f = (x) => x * s;
  } else if (key.endsWith('weight') && shape.length === 2) {
    const s = sqrt(3 / shape[1]);
    f = (x) => x * s;
  } else if (key.endsWith('weight') && shape.length === 1) f = (x) => 1 + 0.1 * x;
  else throw new Error(`formula.ts: no formula for ${key} [${shape.join(', ')}]`);
  for (let i = 0; i < n; i++) v[i] = f(u[i]);
  return v;
}

/** {@link formulaValues} as a tensor of `dtype` (PyTorch layout). */
export function formulaTensor(key: string, shape: number[], k: number, dtype: tf.DataType): tf.Tensor {
  if (key.endsWith('num_batches_tracked')) return tf.zeros(shape, dtype);
  return tf.tensor(formulaValues(key, shape, k), shape, 'float32');
}

/** Load the formula weights into `model` (strict: its keys must be the reference's). */
export function loadFormulaWeights(model: Module): void {
  const current = model.stateDict();
  const keys = Object.keys(current).sort();
  const sd: Record<string, tf.Tensor> = {};
  keys.forEach((key, k) => (sd[key] = formulaTensor(key, current[key].shape, k, current[key].dtype)));
  Object.values(current).forEach((t) => t.dispose());
  try {
    model.loadStateDict(sd);
  } finally {
    Object.values(sd).forEach((t) => t.dispose());
  }
}

/** The formula input, NCHW `shape` as PyTorch sees it, returned NHWC. */
export function formulaInput(shape: [number, number, number, number]): tf.Tensor4D {
  const [n, c, h, w] = shape;
  const u = formulaUniform(n * c * h * w, 100000);
  return tf.tidy(() => tf.transpose(tf.tensor4d(Float32Array.from(u), [n, c, h, w]), [0, 2, 3, 1]));
}
