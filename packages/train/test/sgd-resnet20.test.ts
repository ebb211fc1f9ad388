// Three SGD steps of ResNet-20 (train mode) against PyTorch 1.13: losses, updated weights and BatchNorm
// running statistics. Oracle: tools/train/gen_sgd_resnet20.py (formula weights and batches, no files).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, useBackend } from '@residual/tensor';
import { createModel } from '@residual/zoo';
import { formulaUniform, loadFormulaWeights } from '../../zoo/src/testing/formula';
import { fit, sgd, type Batch } from '../src';

interface Fixture {
  batch: number;
  size: number;
  steps: number;
  stride: number;
  losses: number[];
  full: Record<string, number[]>;
  digest: Record<string, { shape: number[]; sum: number; sumsq: number; strided: number[] }>;
}
const load = (name: string): Fixture => JSON.parse(readFileSync(join(__dirname, '../fixtures', name), 'utf8')) as Fixture;

function batch(fx: Fixture, t: number): Batch {
  const [n, s] = [fx.batch, fx.size];
  const u = Float32Array.from(formulaUniform(n * 3 * s * s, 200000 + t));
  const x = tf.tidy(() => tf.transpose(tf.tensor4d(u, [n, 3, s, s]), [0, 2, 3, 1]));
  const y = tf.tensor1d(Int32Array.from({ length: n }, (_, i) => (7 * i + 3 * t) % 10), 'int32');
  return { x, y };
}

/**
 * max |a − b| / max |b|: error relative to the tensor's scale (an update p − lr·d that nearly cancels
 * leaves elements near zero whose own relative error says nothing about the arithmetic).
 */
function relErr(a: ArrayLike<number>, b: number[]): number {
  const scale = Math.max(...b.map(Math.abs));
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m / scale;
}

// tfjs's cpu Conv2DBackpropFilter needs about a minute per 32x32 image of ResNet-20, so CI runs both
// backends on 2 images of 8x8 (same network and arithmetic). RESIDUAL_SLOW_TESTS=1 adds 8 images of
// 32x32 on cpu and wasm. That case is ill-conditioned at the 1e-4 level: at step 2 a pre-activation lies
// within 3e-7 of zero, and PyTorch float32 (the fixture) is itself 1.05e-3 of scale from PyTorch float64
// on bn1.bias after three steps (6e-4 on layer1.0.conv1.weight). Any float32 run takes one side of that
// ReLU or the other, and on the fixture's side noise is still amplified: wasm lands 1.0e-4 from it on
// bn1.bias, < 7e-5 elsewhere. Hence 5e-4 for the tensors of that case, which still catches the old wasm
// bug (float32-accumulated batch-norm sums flipped a ReLU at step 0: 3e-3..5e-3). A float64 oracle with a
// checked margin from every ReLU kink would allow 1e-4 again (tools/train/gen_sgd_resnet20.py).
const TENSOR_TOL: Record<string, number> = { 'sgd_resnet20_small.json': 1e-4, 'sgd_resnet20.json': 5e-4 };
const CASES: Array<[backend: 'cpu' | 'wasm', fixture: string]> = [
  ['cpu', 'sgd_resnet20_small.json'],
  ['wasm', 'sgd_resnet20_small.json'],
  ...(process.env.RESIDUAL_SLOW_TESTS
    ? ([
        ['cpu', 'sgd_resnet20.json'],
        ['wasm', 'sgd_resnet20.json'],
      ] as Array<['cpu' | 'wasm', string]>)
    : []),
];

for (const [backend, file] of CASES) {
  const fx = load(file);
  const tol = TENSOR_TOL[file];
  describe(`resnet20, 3 SGD steps (lr 0.1, momentum 0.9, wd 1e-4), batch ${fx.batch}x${fx.size}x${fx.size}, equal PyTorch on ${backend}`, () => {
    let sd: Record<string, tf.Tensor>;
    let initial: Record<string, tf.Tensor>;
    const losses: number[] = [];

    beforeAll(async () => {
      await useBackend(backend);
      const model = createModel('resnet20', { numClasses: 10 });
      loadFormulaWeights(model);
      initial = model.stateDict();
      const train = Array.from({ length: fx.steps }, (_, t) => batch(fx, t));
      await fit({
        model, train, optimizer: sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 }), iterations: fx.steps, progress: false,
        callbacks: { onBatchEnd: (i) => void losses.push(i.loss) },
      });
      sd = model.stateDict();
      model.dispose();
    });
    afterAll(() => tf.dispose([...Object.values(sd ?? {}), ...Object.values(initial ?? {})]));

    it('losses', () => {
      expect(losses).toHaveLength(3);
      losses.forEach((l, i) => expect(Math.abs(l - fx.losses[i]) / Math.abs(fx.losses[i])).toBeLessThan(1e-4));
    });

    it('every value of conv, BatchNorm (weights and running stats) and fc tensors', () => {
      for (const [key, expected] of Object.entries(fx.full)) {
        const got = sd[key].dataSync();
        const err = relErr(got, expected);
        if (!(err < tol)) throw new Error(`${key}: relative error ${err}`);
        // The comparison is meaningful: training moved the tensor by far more than the tolerance.
        expect(relErr(initial[key].dataSync(), expected)).toBeGreaterThan(1e-3);
      }
    });

    it('digest of every state-dict tensor (sum, sum of squares, every 61st value)', () => {
      expect(Object.keys(sd).sort()).toEqual(Object.keys(fx.digest).sort());
      for (const [key, d] of Object.entries(fx.digest)) {
        const v = sd[key].dataSync();
        if (key.endsWith('num_batches_tracked')) {
          expect(v[0]).toBe(3);
          continue;
        }
        let sum = 0;
        let sumsq = 0;
        for (let i = 0; i < v.length; i++) {
          sum += v[i];
          sumsq += v[i] * v[i];
        }
        const strided = Array.from({ length: d.strided.length }, (_, j) => v[j * fx.stride]);
        const err = Math.max(relErr(strided, d.strided), Math.abs(sumsq - d.sumsq) / d.sumsq);
        if (!(err < tol)) throw new Error(`${key}: relative error ${err}`);
        expect(Math.abs(sum - d.sum)).toBeLessThan(tol * Math.sqrt(d.sumsq * v.length) + 1e-6);
      }
    });
  });
}
