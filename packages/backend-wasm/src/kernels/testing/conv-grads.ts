// Test-only helpers shared by the conv gradient tests (not exported from the package).
import { tf, useBackend, Rng, residualConv2d } from '@residual/tensor';

export type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

export interface ConvCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  kh: number;
  kw: number;
  strides: [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export interface ConvGrads {
  dx: Float32Array;
  dw: Float32Array;
  /** conv2d(x, w). */
  y: Float32Array;
  /** relu(conv2d(x, w) + bias) through tf.fused.conv2d (the FusedConv2D kernel). */
  fused: Float32Array;
  /** relu(conv2d(x, w) + bias + residual) through residualConv2d (the ResidualConv2D kernel where it exists). */
  residual: Float32Array;
  /** conv2d(x, w) + residual, no bias, no activation. */
  residualLinear: Float32Array;
}

/** Deterministic values in [-1, 1) so wasm and cpu see identical inputs. */
export function values(rng: Rng, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniform() * 2 - 1;
  return out;
}

/** dx and dW of sum(conv2d(x, w) * r) on the active backend. */
export function convGrads(c: ConvCase, seed: number): ConvGrads {
  const rng = new Rng(seed);
  return tf.tidy(() => {
    const x = tf.tensor4d(values(rng, c.n * c.h * c.w * c.ci), [c.n, c.h, c.w, c.ci]);
    const w = tf.tensor4d(values(rng, c.kh * c.kw * c.ci * c.co), [c.kh, c.kw, c.ci, c.co]);
    const yShape = tf.conv2d(x, w, c.strides, c.pad, 'NHWC', 1, c.dimRoundingMode).shape;
    const r = tf.tensor(values(rng, yShape.reduce((a, b) => a * b, 1)), yShape);
    const f = (xx: tf.Tensor, ww: tf.Tensor): tf.Tensor =>
      tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.strides, c.pad, 'NHWC', 1, c.dimRoundingMode), r));
    const [dx, dw] = tf.grads(f)([x, w]);
    const y = tf.conv2d(x, w, c.strides, c.pad, 'NHWC', 1, c.dimRoundingMode);
    const bias = tf.tensor1d(values(rng, c.co));
    const fused = tf.fused.conv2d({ x, filter: w, bias, activation: 'relu', strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode });
    const res = tf.tensor4d(values(rng, y.size), y.shape as [number, number, number, number]);
    const conv = { x, filter: w, residual: res, strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode };
    const residual = residualConv2d({ ...conv, bias });
    const residualLinear = residualConv2d({ ...conv, activation: 'linear' });
    const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
    return { dx: read(dx), dw: read(dw), y: read(y), fused: read(fused), residual: read(residual), residualLinear: read(residualLinear) };
  });
}

/** Elementwise |a-b| ≤ tol · max|expected|; returns the worst relative error. */
export function relError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity;
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  if (scale === 0) scale = 1;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = Math.abs(actual[i] - expected[i]) / scale;
    if (!(e <= worst)) worst = e; // NaN propagates as a failure
  }
  return worst;
}

/** Runs every case on cpu, then on wasm, and returns both sets of gradients. */
export async function onBothBackends<T>(cases: T[], run: (c: T, i: number) => ConvGrads) {
  await useBackend('cpu');
  const cpu = cases.map(run);
  await useBackend('wasm');
  const wasm = cases.map(run);
  return { cpu, wasm };
}

export function describeCase(c: ConvCase): string {
  return `x[${c.n},${c.h},${c.w},${c.ci}] w[${c.kh},${c.kw},${c.ci},${c.co}] s=${c.strides} pad=${JSON.stringify(c.pad)}` +
    (c.dimRoundingMode ? ` ${c.dimRoundingMode}` : '');
}
