// The oracle's batches (tools/train/gen_sgd_resnet20.py), shared by sgd-resnet20.test.ts and its child.
import { tf } from '@residual/tensor';
import { formulaUniform } from '../../zoo/src/testing/formula';
import type { Batch } from '../src';

export interface SgdFixture {
  batch: number;
  size: number;
  inputKey: number;
  steps: number;
  stride: number;
  conditioning: Record<string, number>;
  losses: number[];
  full: Record<string, number[]>;
  digest: Record<string, { shape: number[]; sum: number; sumsq: number; strided: number[] }>;
}

/** Batch t: NCHW flat index j valued u(j, inputKey + t) rounded to float32 (as NHWC), labels (7i + 3t) mod 10. */
export function formulaBatch(fx: SgdFixture, t: number): Batch {
  const [n, s] = [fx.batch, fx.size];
  const u = Float32Array.from(formulaUniform(n * 3 * s * s, fx.inputKey + t));
  const x = tf.tidy(() => tf.transpose(tf.tensor4d(u, [n, 3, s, s]), [0, 2, 3, 1]));
  const y = tf.tensor1d(Int32Array.from({ length: n }, (_, i) => (7 * i + 3 * t) % 10), 'int32');
  return { x, y };
}
