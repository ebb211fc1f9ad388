// Property tests of the kernels a ResNet trains with, webgpu against the cpu backend, over random
// shapes: convolution and both its gradients, pads of every rank (ours fixes 5 and 6), pooling
// gradients, matrix products, and reductions checked against float64.
import { Rng, tf, useBackend } from '@residual/tensor';
import { mergePadDims } from './kernels/PadV2';
import { takeWebGPUErrors } from './index';

const TOL = 1e-4;

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  if (a.length !== b.length) return Infinity;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    const d = Math.abs(a[i] - b[i]);
    err = Number.isNaN(d) ? Infinity : Math.max(err, d);
  }
  return scale === 0 ? err : err / scale;
}

function values(rng: Rng, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniform() * 2 - 1;
  return out;
}

interface Case {
  label: string;
  shapes: number[][];
  f: (...xs: tf.Tensor[]) => tf.Tensor;
}

/** Runs `f` on cpu and on webgpu over the same inputs. */
async function both(c: Case, rng: Rng): Promise<{ cpu: Float32Array; gpu: Float32Array }> {
  const inputs = c.shapes.map((s) => values(rng, s.reduce((a, b) => a * b, 1)));
  const run = async (backend: 'cpu' | 'webgpu') => {
    await useBackend(backend);
    const xs = inputs.map((v, i) => tf.tensor(v, c.shapes[i]));
    const y = c.f(...xs);
    const out = Float32Array.from(await y.data());
    tf.dispose([y, ...xs]);
    return out;
  };
  return { cpu: await run('cpu'), gpu: await run('webgpu') };
}

function convCase(rng: Rng): Case {
  for (;;) {
    const k = [1, 1, 3, 3, 3, 7][rng.randint(0, 6)];
    const s = rng.randint(1, 3);
    const n = rng.randint(1, 3);
    const h = rng.randint(k, 12);
    const w = rng.randint(k, 12);
    const ci = rng.randint(1, 9);
    const co = rng.randint(1, 9);
    const p = Math.floor(k / 2);
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [p, p], [p, p], [0, 0]];
    const oh = Math.floor((h + 2 * p - k) / s) + 1;
    const ow = Math.floor((w + 2 * p - k) / s) + 1;
    if (oh < 1 || ow < 1) continue;
    const which = (['y', 'dx', 'dw'] as const)[rng.randint(0, 3)];
    const label = `${which} n${n} ${h}×${w}×${ci}→${co} k${k} s${s}`;
    const conv = (x: tf.Tensor, f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad);
    const scale = () => tf.reshape(tf.linspace(-1, 1.3, co), [1, 1, 1, co]);
    const f =
      which === 'y'
        ? conv
        : which === 'dx'
          ? (x: tf.Tensor, fl: tf.Tensor) => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(conv(xx, fl), scale())))(x)
          : (x: tf.Tensor, fl: tf.Tensor) => tf.grad((ff: tf.Tensor) => tf.sum(tf.mul(conv(x, ff), scale())))(fl);
    return { label, shapes: [[n, h, w, ci], [k, k, ci, co]], f };
  }
}

function padCase(rng: Rng): Case {
  const rank = rng.randint(1, 7);
  const shape = Array.from({ length: rank }, () => rng.randint(1, 4));
  // At most four padded dimensions (what tfjs's Pad program can address after merging).
  const padded = new Set<number>();
  while (padded.size < Math.min(rank, rng.randint(1, 5))) padded.add(rng.randint(0, rank));
  const paddings = shape.map((_, d) => (padded.has(d) ? [rng.randint(0, 3), rng.randint(0, 3)] : [0, 0])) as Array<[number, number]>;
  const value = rng.uniform() < 0.5 ? 0 : -2.5;
  return { label: `pad [${shape}] by ${JSON.stringify(paddings)} with ${value}`, shapes: [shape], f: (x) => tf.pad(x, paddings, value) };
}

describe('mergePadDims', () => {
  it('folds unpadded dimensions into the one before, keeping the byte order', () => {
    expect(mergePadDims([2, 3, 1, 4, 1, 5], [[0, 0], [0, 0], [0, 1], [0, 0], [0, 1], [0, 0]])).toEqual({
      shape: [6, 4, 5],
      paddings: [[0, 0], [0, 4], [0, 5]],
    });
    expect(mergePadDims([2, 3], [[1, 0], [0, 0]])).toEqual({ shape: [6], paddings: [[3, 0]] });
    expect(mergePadDims([2, 3], [[0, 0], [0, 0]])).toEqual({ shape: [6], paddings: [[0, 0]] });
    expect(mergePadDims([2, 3, 4], [[1, 1], [0, 2], [0, 0]])).toEqual({ shape: [2, 12], paddings: [[1, 1], [0, 8]] });
  });
});

describe('property: webgpu kernels equal cpu over random shapes', () => {
  const rng = new Rng(20261201);
  const cases: Case[] = [
    ...Array.from({ length: 24 }, () => convCase(rng)),
    ...Array.from({ length: 16 }, () => padCase(rng)),
    { label: 'rank-6 pad (option-A shortcut gradient)', shapes: [[2, 4, 1, 4, 1, 16]], f: (x) => tf.pad(x, [[0, 0], [0, 0], [0, 1], [0, 0], [0, 1], [0, 0]]) },
    { label: 'rank-5 pad', shapes: [[2, 3, 4, 2, 3]], f: (x) => tf.pad(x, [[0, 0], [1, 0], [0, 0], [0, 2], [0, 0]], 1) },
    { label: 'gradient of a rank-6 slice', shapes: [[2, 4, 2, 4, 2, 8]], f: (x) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.slice(v, [0, 0, 0, 0, 0, 0], [2, 4, 1, 4, 1, 8]), 3)))(x) },
    { label: 'maxPool 3×3/2 same, gradient', shapes: [[2, 9, 9, 5]], f: (x) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 3, 2, 'same'), 1.5)))(x) },
    { label: 'avgPool 2×2/2, gradient', shapes: [[2, 8, 8, 5]], f: (x) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(v as tf.Tensor4D, 2, 2, 'valid'), 1.5)))(x) },
    { label: 'linspace of one value (NaN in stock tfjs-webgpu)', shapes: [[1]], f: (x) => tf.add(tf.linspace(-1, 1.3, 1), x) },
    { label: 'global mean over H, W', shapes: [[3, 7, 5, 6]], f: (x) => tf.mean(x, [1, 2]) },
    { label: 'matMul and its gradient', shapes: [[3, 64], [64, 10]], f: (a, b) => tf.grad((v: tf.Tensor) => tf.sum(tf.matMul(a as tf.Tensor2D, v as tf.Tensor2D)))(b) },
    // One row, K ≥ 2000: tfjs-webgpu's split-K program (atomic adds: its sums' order varies run to run),
    // as a ResNet-50's 1×1 convolutions on a 1×1 last stage run it. The zoo's conformance suite pins the
    // packed program for reproducibility, so this is where split-K's results are checked.
    { label: 'matMul of one row with K = 2048 (split-K)', shapes: [[1, 2048], [2048, 512]], f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D) },
    { label: '1×1 conv of a 1×1 map, 2048 → 512 channels (split-K), and its input gradient', shapes: [[1, 1, 1, 2048], [1, 1, 2048, 512]], f: (x, w) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(v as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'), 1.5)))(x) },
    { label: 'softmax cross-entropy gradient', shapes: [[4, 10]], f: (x) => tf.grad((v: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1, 3, 5, 7], 'int32'), 10), v))(x) },
  ];

  it.each(cases.map((c, i) => [c.label, i] as const))('%s', async (_label, i) => {
    const { cpu, gpu } = await both(cases[i], new Rng(1000 + i));
    expect(takeWebGPUErrors()).toEqual([]);
    expect(gpu.length).toBe(cpu.length);
    expect(relErr(gpu, cpu)).toBeLessThanOrEqual(TOL);
  });

  afterAll(async () => {
    await useBackend('cpu');
  });
});

describe('reductions over N, H, W (BatchNorm statistics) against float64', () => {
  // tfjs-webgpu reduces in a tree (each thread a strided run, then the workgroup pairwise), which stays
  // within a few units in the last place of the exact sum, where a float32 running sum over 10⁵ values
  // drifts by hundreds. The cpu and our wasm kernels round the float64 sum once (≤ 0.5 ulp).
  it.each([
    [128, 8, 8, 64],
    [32, 32, 32, 16],
    [2, 32, 32, 16],
  ])('sum and mean of [%i, %i, %i, %i] are within 2 ulp of the exact value', async (...shape) => {
    await useBackend('webgpu');
    const c = shape[3];
    const n = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = Math.fround(0.5 + Math.sin(i * 12.9898) * 0.5 + (i % c) * 0.01);
    const exact = new Float64Array(c);
    for (let i = 0; i < n; i++) exact[i % c] += v[i];
    const x = tf.tensor(v, shape);
    const s = tf.sum(x, [0, 1, 2]);
    const m = tf.mean(x, [0, 1, 2]);
    const [sv, mv] = await Promise.all([s.data(), m.data()]);
    tf.dispose([x, s, m]);
    const ulps = (got: number, want: number) => Math.abs(got - want) / 2 ** (Math.floor(Math.log2(Math.abs(want))) - 23);
    for (let j = 0; j < c; j++) {
      expect(ulps(sv[j], exact[j])).toBeLessThanOrEqual(2);
      expect(ulps(mv[j], exact[j] / (n / c))).toBeLessThanOrEqual(2.5);
    }
    expect(takeWebGPUErrors()).toEqual([]);
  });
});
