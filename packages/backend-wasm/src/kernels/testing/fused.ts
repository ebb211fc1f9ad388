// Test-only helpers for the fused-kernel tests (not exported from the package).
import { tf, Rng, batchNormTraining, hasKernel, BatchNormTraining } from '@residual/tensor';
import { values } from './conv-grads';

export interface BnCase {
  n: number;
  h: number;
  w: number;
  c: number;
  /** Added to x so the batch mean is far from zero (variance computed by cancellation must still hold). */
  shift: number;
  eps: number;
  /** Add a residual input after the normalisation. */
  residual: boolean;
  /** End in a ReLU. */
  relu: boolean;
}

export interface BnResult {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  dx: Float32Array;
  dScale: Float32Array;
  dOffset: Float32Array;
  /** The residual's gradient (empty without a residual). */
  dResidual: Float32Array;
  /**
   * The size of the terms dx is the difference of (max |γ|/σ · max |r|): with few pixels per channel dx
   * cancels to nearly nothing, and errors are measured against this instead.
   */
  dxScale: number;
}

/**
 * y, batch statistics and the gradients of sum(y·r) of a training-mode batch norm on the active backend:
 * the fused kernel where the backend has it, else tfjs ops differentiated by tfjs's autodiff (an
 * independent route to the same numbers: no closed-form backward involved).
 */
export function batchNormAndGrads(c: BnCase, seed: number): BnResult {
  const rng = new Rng(seed);
  return tf.tidy(() => {
    const shape = [c.n, c.h, c.w, c.c];
    const size = c.n * c.h * c.w * c.c;
    const x = tf.add(tf.tensor4d(values(rng, size), shape as [number, number, number, number]), c.shift) as tf.Tensor4D;
    const scale = tf.tensor1d(values(rng, c.c));
    const offset = tf.tensor1d(values(rng, c.c));
    const r = tf.tensor(values(rng, size), shape);
    // The residual is drawn either way, so the same seed gives the same x, γ, β and r.
    const res = tf.tensor4d(values(rng, size), shape as [number, number, number, number]);
    const fused = hasKernel(BatchNormTraining);
    const stats = fused ? batchNormTraining(x, scale, offset, c.eps) : undefined;
    const forward = (xx: tf.Tensor, s: tf.Tensor, o: tf.Tensor, rr: tf.Tensor): tf.Tensor => {
      const residual = c.residual ? (rr as tf.Tensor4D) : null;
      if (fused) return batchNormTraining(xx as tf.Tensor4D, s as tf.Tensor1D, o as tf.Tensor1D, c.eps, { residual, relu: c.relu }).y;
      const { mean, variance } = tf.moments(xx, [0, 1, 2]);
      let y = tf.add(tf.mul(tf.mul(tf.sub(xx, mean), tf.rsqrt(tf.add(variance, c.eps))), s), o);
      if (residual) y = tf.add(y, residual);
      return c.relu ? tf.relu(y) : y;
    };
    const loss = (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor, e: tf.Tensor) => tf.sum(tf.mul(forward(a, b, d, e), r));
    const [dx, dScale, dOffset, dResidual] = c.residual
      ? tf.grads(loss)([x, scale, offset, res])
      : [...tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => loss(a, b, d, res))([x, scale, offset]), tf.zeros([0])];
    const moments = stats ?? tf.moments(x, [0, 1, 2]);
    const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
    const maxAbs = (t: tf.Tensor) => tf.max(tf.abs(t)).dataSync()[0];
    const dxScale = (maxAbs(scale) * maxAbs(r)) / Math.sqrt(tf.min(moments.variance).dataSync()[0] + c.eps);
    return {
      dxScale,
      y: read(forward(x, scale, offset, res)),
      mean: read(moments.mean),
      variance: read(moments.variance),
      dx: read(dx),
      dScale: read(dScale),
      dOffset: read(dOffset),
      dResidual: read(dResidual),
    };
  });
}

/** A random batch-norm case; about one in four has more than 2048 pixels (split across threads). */
export function drawBnCase(rng: Rng): BnCase {
  for (;;) {
    const big = rng.uniform() < 0.25;
    const c: BnCase = {
      n: rng.randint(1, big ? 9 : 5),
      h: rng.randint(1, big ? 24 : 10),
      w: rng.randint(1, big ? 24 : 10),
      c: rng.randint(1, 40),
      shift: [0, 0, 1, -3, 10][rng.randint(0, 5)],
      eps: [1e-5, 1e-3][rng.randint(0, 2)],
      residual: rng.uniform() < 0.4,
      relu: rng.uniform() < 0.6,
    };
    if (c.n * c.h * c.w > 1) return c;
  }
}

/** Bit patterns of float32 values: equal arrays are equal bit for bit (NaN payloads and −0 included). */
export function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}
