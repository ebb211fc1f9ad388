import { tf, useBackend, Rng, hasKernel, batchNormTraining, BatchNormTraining, ReluGrad } from '@residual/tensor';
import '@residual/backend-wasm';
import { relError, values } from './kernels/testing/conv-grads';
import { batchNormAndGrads, bits, drawBnCase, type BnResult } from './kernels/testing/fused';

const TOL = 1e-4;

function absError(a: Float32Array, b: Float32Array): number {
  let worst = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    if (!(e <= worst)) worst = e; // NaN fails
  }
  return worst;
}
const COUNT = 60;

describe(`property: ${COUNT} random batch norms, the fused wasm kernels equal cpu's op chains within ${TOL}`, () => {
  const rng = new Rng(20261201);
  const cases = Array.from({ length: COUNT }, () => drawBnCase(rng));
  let cpu: BnResult[];
  let wasm: BnResult[];
  beforeAll(async () => {
    await useBackend('cpu');
    expect(hasKernel(BatchNormTraining)).toBe(false);
    cpu = cases.map((c, i) => batchNormAndGrads(c, 100 + i));
    await useBackend('wasm');
    expect(hasKernel(BatchNormTraining)).toBe(true);
    const before = tf.memory().numTensors;
    wasm = cases.map((c, i) => batchNormAndGrads(c, 100 + i));
    expect(tf.memory().numTensors).toBe(before);
  });

  const label = (c: (typeof cases)[number]) =>
    `${c.relu ? 'relu(' : ''}bn(x[${c.n},${c.h},${c.w},${c.c}] + ${c.shift}, eps ${c.eps})${c.residual ? ' + residual' : ''}${c.relu ? ')' : ''}`;
  test.each(cases.map((c, i) => [label(c), i] as const))('%s', (_, i) => {
    for (const key of ['y', 'mean', 'variance', 'dx', 'dScale', 'dOffset', 'dResidual'] as const) {
      let err = relError(wasm[i][key], cpu[i][key]);
      if (key === 'dx') err = absError(wasm[i].dx, cpu[i].dx) / cpu[i].dxScale;
      if (!(err <= TOL)) throw new Error(`${key}: relative error ${err}`);
    }
  });
});

test('the fused batch norm propagates NaN (a NaN pixel poisons its channel, never a clean-looking zero)', async () => {
  await useBackend('wasm');
  const v = values(new Rng(3), 2 * 3 * 3 * 5);
  v[7] = NaN; // channel 2
  const { y, dx } = tf.tidy(() => {
    const x = tf.tensor4d(v, [2, 3, 3, 5]);
    const r = tf.tensor4d(values(new Rng(4), v.length), [2, 3, 3, 5]);
    const bn = (a: tf.Tensor) => batchNormTraining(a as tf.Tensor4D, tf.ones([5]), tf.zeros([5]), 1e-5).y;
    const [g] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(bn(a), r)))([x]);
    return { y: bn(x).dataSync() as Float32Array, dx: g.dataSync() as Float32Array };
  });
  for (let i = 0; i < v.length; i++) {
    expect(Number.isNaN(y[i])).toBe(i % 5 === 2);
    expect(Number.isNaN(dx[i])).toBe(i % 5 === 2);
  }
});

test('ReluGrad equals tfjs-core\'s Step·Cast·Multiply chain bit for bit, NaN, ±0 and ±Inf included', async () => {
  const n = 4 * 1000 + 3; // a SIMD body and a scalar tail
  const rng = new Rng(9);
  const specials = [NaN, 0, -0, Infinity, -Infinity, 1e-45, -1e-45];
  const pick = () => (rng.uniform() < 0.1 ? specials[rng.randint(0, specials.length)] : rng.uniform() * 2 - 1);
  const xv = Float32Array.from({ length: n }, pick);
  const dyv = Float32Array.from({ length: n }, pick);
  const grad = () =>
    tf.tidy(() => {
      const x = tf.tensor1d(xv);
      const dy = tf.tensor1d(dyv);
      return tf.grad((a: tf.Tensor) => tf.mul(tf.relu(a), dy))(x).dataSync() as Float32Array;
    });
  await useBackend('cpu');
  expect(hasKernel(ReluGrad)).toBe(false);
  const reference = grad();
  await useBackend('wasm');
  expect(hasKernel(ReluGrad)).toBe(true);
  // x·dy's own gradient multiplies by dy again; compare the raw kernel too.
  expect(bits(grad())).toEqual(bits(reference));
  const direct = tf.tidy(() => (tf.engine().runKernel(ReluGrad, { dy: tf.tensor1d(dyv), x: tf.tensor1d(xv) }) as tf.Tensor).dataSync() as Float32Array);
  await useBackend('cpu');
  const chain = tf.tidy(() => tf.mul(tf.tensor1d(dyv), tf.cast(tf.step(tf.tensor1d(xv)), 'float32')).dataSync() as Float32Array);
  expect(bits(direct)).toEqual(bits(chain));
});

test('Identity (tf.clone) shares memory without copying, and frees it with the last reference', async () => {
  await useBackend('wasm');
  const backend = tf.backend();
  const ids = backend.numDataIds();
  const a = tf.tensor1d([1, 2, 3]);
  const b = tf.clone(a);
  expect(backend.numDataIds()).toBe(ids + 1);
  a.dispose();
  expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
  const c = tf.add(b, 1);
  b.dispose();
  expect(backend.numDataIds()).toBe(ids + 1);
  expect(Array.from(c.dataSync())).toEqual([2, 3, 4]);
  c.dispose();
  expect(backend.numDataIds()).toBe(ids);
  // A variable assigned a clone keeps its value when the source is disposed.
  const src = tf.tensor1d([5]);
  const v = tf.variable(tf.clone(src));
  src.dispose();
  v.assign(tf.clone(v));
  expect(Array.from(v.dataSync())).toEqual([5]);
  v.dispose();
});

test('without a residual the mask is the offset, recomputed from x by the backward: the y-masked gradient bit for bit (NaN as NaN), and a wrong mask is refused', async () => {
  await useBackend('wasm');
  const rng = new Rng(78);
  const attrs = { epsilon: 1e-5, relu: true, residual: false };
  const canonical = (t: tf.Tensor) => Array.from(bits(t.dataSync() as Float32Array), (b, i) => (Number.isNaN(t.dataSync()[i]) ? 'NaN' : b));
  // 12 channels (the 4-float stream) and 5 (the per-row path with a scalar tail); channel 3 has a NaN pixel,
  // channel 1 an offset that clips most of it and a scale of 0 (v is the offset exactly: 0 > 0 is false).
  for (const shape of [[4, 6, 5, 12], [3, 7, 3, 5]] as Array<[number, number, number, number]>) {
    tf.tidy(() => {
      const size = shape.reduce((a, b) => a * b, 1);
      const xv = values(rng, size);
      xv[3 + 2 * shape[3]] = NaN;
      const sv = values(rng, shape[3]);
      const ov = values(rng, shape[3]);
      sv[1] = 0;
      ov[1] = 0;
      ov[2] = -1.5;
      const inputs = { x: tf.tensor4d(xv, shape), scale: tf.tensor1d(sv), offset: tf.tensor1d(ov) };
      const outputs = tf.engine().runKernel(BatchNormTraining, inputs, attrs) as tf.Tensor[];
      expect(outputs).toHaveLength(4);
      const [y, mean, variance, reluMask] = outputs;
      expect(reluMask.dtype).toBe('int32');
      expect(reluMask.shape).toEqual([shape[3]]);
      const grad = { dy: tf.tensor4d(values(rng, y.size), y.shape as never), x: inputs.x, mean, variance, scale: inputs.scale, y };
      const byY = tf.engine().runKernel('BatchNormTrainingGrad', grad, attrs) as tf.Tensor[];
      const byMask = tf.engine().runKernel('BatchNormTrainingGrad', { ...grad, reluMask }, attrs) as tf.Tensor[];
      expect(byMask.map(canonical)).toEqual(byY.map(canonical));
      expect(Number.isNaN(byMask[2].dataSync()[3])).toBe(true); // dOffset of the NaN channel
      expect(Number.isFinite(byMask[2].dataSync()[0])).toBe(true);
      const bad = [tf.zeros([shape[3]]), tf.zeros([shape[3] + 1], 'int32'), tf.zeros([Math.ceil(size / 2)], 'int32')];
      for (const m of bad) expect(() => tf.engine().runKernel('BatchNormTrainingGrad', { ...grad, reluMask: m }, attrs)).toThrow(/'reluMask' must be the forward's/);
    });
  }
});

describe('the fused ReLU and residual addition equal the separate kernels on wasm bit for bit', () => {
  // BatchNormTraining alone, then tfjs's Add and Relu (and their gradients, ReluGrad included), against the
  // one fused kernel forward and backward. Pixel counts above and below the per-thread split.
  const shapes: Array<[number, number, number, number]> = [
    [2, 3, 3, 5],
    [8, 16, 16, 16],
    [4, 9, 7, 35],
  ];
  test.each(shapes.flatMap((s) => [true, false].map((residual) => [s, residual] as const)))(
    'x%j, residual %s',
    async (shape, residual) => {
      await useBackend('wasm');
      const size = shape.reduce((a, b) => a * b, 1);
      const rng = new Rng(size);
      const xv = values(rng, size);
      xv[11] = NaN; // a NaN channel: NaN must reach y and every gradient of that channel the same way
      const [sv, ov, resv, rv] = [shape[3], shape[3], size, size].map((n) => values(rng, n));
      const run = (fused: boolean) =>
        tf.tidy(() => {
          const x = tf.tensor4d(xv, shape);
          const scale = tf.tensor1d(sv);
          const offset = tf.tensor1d(ov);
          const res = tf.tensor4d(resv, shape);
          const r = tf.tensor4d(rv, shape);
          const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => {
            const args = [a as tf.Tensor4D, b as tf.Tensor1D, c as tf.Tensor1D, 1e-5] as const;
            const y = fused
              ? batchNormTraining(...args, { residual: residual ? (d as tf.Tensor4D) : null, relu: true }).y
              : tf.relu(residual ? tf.add(batchNormTraining(...args).y, d) : batchNormTraining(...args).y);
            return tf.sum(tf.mul(y, r));
          };
          const { value, grads } = tf.valueAndGrads(f)(residual ? [x, scale, offset, res] : [x, scale, offset]);
          return [value, ...grads].map((t) => bits(t.dataSync() as Float32Array));
        });
      const before = tf.memory().numTensors;
      const fused = run(true);
      expect(tf.memory().numTensors).toBe(before);
      expect(fused).toEqual(run(false));
      expect(fused[1].some((b) => (b & 0x7fc00000) === 0x7fc00000)).toBe(true); // NaN reached dx
    },
  );
});

test('a residual or y of the wrong shape is refused by the op and by the kernels', async () => {
  await useBackend('wasm');
  const x = tf.zeros([2, 3, 3, 4]) as tf.Tensor4D;
  const [s, o] = [tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D];
  const bad = tf.zeros([2, 3, 3, 1]) as tf.Tensor4D;
  expect(() => batchNormTraining(x, s, o, 1e-5, { residual: bad, relu: true })).toThrow(/residual has shape \[2, 3, 3, 1\]/);
  const attrs = { epsilon: 1e-5, relu: true, residual: true };
  expect(() => tf.engine().runKernel(BatchNormTraining, { x, scale: s, offset: o, residual: bad }, attrs)).toThrow(
    /'residual' has shape \[2,3,3,1\]/,
  );
  const grad = { dy: x, x, mean: o, variance: s, scale: s };
  expect(() => tf.engine().runKernel('BatchNormTrainingGrad', { ...grad, y: bad }, attrs)).toThrow(/'y' has shape \[2,3,3,1\]/);
  expect(() => tf.engine().runKernel('BatchNormTrainingGrad', grad, attrs)).toThrow(/needs the ReLU output y/);
  tf.dispose([x, s, o, bad]);
});

test('the forward\'s ReLU mask bits give the y-masked gradient bit for bit (NaN as NaN), and a wrong mask is refused', async () => {
  await useBackend('wasm');
  const rng = new Rng(77);
  const attrs = { epsilon: 1e-5, relu: true, residual: true };
  const forward = (shape: [number, number, number, number]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const res = values(rng, size);
    res[13] = NaN; // one NaN output value: the mask's NaN bit, not a whole NaN channel
    res[14] = -1e9; // clipped to 0 by the ReLU
    const inputs = {
      x: tf.tensor4d(values(rng, size), shape),
      scale: tf.tensor1d(values(rng, shape[3])),
      offset: tf.tensor1d(values(rng, shape[3])),
      residual: tf.tensor4d(res, shape),
    };
    return { inputs, outputs: tf.engine().runKernel(BatchNormTraining, inputs, attrs) as tf.Tensor[] };
  };
  const canonical = (t: tf.Tensor) => Array.from(bits(t.dataSync() as Float32Array), (b, i) => (Number.isNaN(t.dataSync()[i]) ? 'NaN' : b));
  tf.tidy(() => {
    const { inputs, outputs } = forward([4, 6, 5, 12]);
    expect(outputs).toHaveLength(4);
    const [y, mean, variance, reluMask] = outputs;
    expect(reluMask.dtype).toBe('int32');
    expect(reluMask.shape).toEqual([(4 * 6 * 5 * 12) / 2]);
    const grad = { dy: tf.tensor4d(values(rng, y.size), y.shape as never), x: inputs.x, mean, variance, scale: inputs.scale, y };
    const byY = tf.engine().runKernel('BatchNormTrainingGrad', grad, attrs) as tf.Tensor[];
    const byMask = tf.engine().runKernel('BatchNormTrainingGrad', { ...grad, reluMask }, attrs) as tf.Tensor[];
    expect(byMask.map(canonical)).toEqual(byY.map(canonical));
    expect(Number.isNaN(byMask[3].dataSync()[13])).toBe(true);
    expect(byMask[3].dataSync()[14]).toBe(0);
    const bad = [tf.zeros([reluMask.size]), tf.zeros([reluMask.size + 1], 'int32')];
    for (const m of bad) expect(() => tf.engine().runKernel('BatchNormTrainingGrad', { ...grad, reluMask: m }, attrs)).toThrow(/'reluMask' must be the forward's/);
  });
  // 5 channels (the scalar tail) and an odd element count: the mask too, rounded up to whole int32s.
  tf.tidy(() => {
    const { inputs, outputs } = forward([1, 3, 3, 5]);
    expect(outputs[3].shape).toEqual([23]);
    const [y, mean, variance, reluMask] = outputs;
    const grad = { dy: tf.tensor4d(values(rng, y.size), y.shape as never), x: inputs.x, mean, variance, scale: inputs.scale, y };
    const byY = tf.engine().runKernel('BatchNormTrainingGrad', grad, attrs) as tf.Tensor[];
    const byMask = tf.engine().runKernel('BatchNormTrainingGrad', { ...grad, reluMask }, attrs) as tf.Tensor[];
    expect(byMask.map(canonical)).toEqual(byY.map(canonical));
  });
});
