import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, useBackend } from '@residual/tensor';
import { adam, adamw, sgd, type NamedParams, Optimizer, noDecayOnNormAndBias } from './index';

// Fixture written by tools/train/gen_optimizers.py with PyTorch 1.13's torch.optim.
interface Case {
  name: string;
  kind: 'SGD' | 'Adam' | 'AdamW';
  options: Record<string, unknown>;
  group2: Record<string, unknown>;
  trajectory: Array<{ weight: number[]; bias: number[] }>;
}
const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/optimizers.json'), 'utf8')) as { cases: Case[] };

const formula = (n: number, k: number, a = 0.37): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(a * i + k));

function makeOptimizer(c: Case, params: NamedParams[]): Optimizer<{ lr: number }> {
  const groups = [{ params: params[0] }, { params: params[1], ...c.group2 }];
  const make = { SGD: sgd, Adam: adam, AdamW: adamw }[c.kind] as (o: never) => Optimizer<{ lr: number }>;
  return make({ ...c.options, params: groups } as never);
}

function maxRelErr(a: Float32Array | number[], b: number[]): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-3));
  return m;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`optimizers match torch.optim on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    for (const c of fixture.cases) {
      it(c.name, () => {
        const w = tf.variable(tf.tensor2d(formula(12, 0), [3, 4]), true, `w-${c.name}-${backend}`);
        const b = tf.variable(tf.tensor1d(formula(4, 1)), true, `b-${c.name}-${backend}`);
        const opt = makeOptimizer(c, [[['weight', w]], [['bias', b]]]);
        c.trajectory.forEach((expected, t) => {
          const grads = tf.tidy(() => ({
            weight: tf.add(tf.mul(tf.tensor2d(formula(12, 0.9 * t, 0.21), [3, 4]), 0.5), tf.mul(w, 0.1)),
            bias: tf.add(tf.mul(tf.tensor1d(formula(4, 0.9 * t + 1, 0.21)), 0.5), tf.mul(b, 0.1)),
          }));
          opt.step(grads);
          tf.dispose(grads);
          expect(maxRelErr(w.dataSync() as Float32Array, expected.weight)).toBeLessThan(1e-5);
          expect(maxRelErr(b.dataSync() as Float32Array, expected.bias)).toBeLessThan(1e-5);
        });
        // The parameters moved: the comparison is not trivially satisfied by an inert optimizer.
        expect(maxRelErr(formula(12, 0), c.trajectory[c.trajectory.length - 1].weight)).toBeGreaterThan(1e-2);
        opt.dispose();
        w.dispose();
        b.dispose();
      });
    }
  });
}

describe('optimizer state', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('exports buffers by parameter name and resumes bit-exactly', () => {
    const mk = (): NamedParams => [['fc.weight', tf.variable(tf.tensor2d(formula(6, 0), [2, 3]))], ['fc.bias', tf.variable(tf.tensor1d(formula(3, 2)))]];
    const grad = (p: NamedParams, t: number): Record<string, tf.Tensor> =>
      tf.tidy(() => Object.fromEntries(p.map(([n, v]) => [n, tf.add(tf.sin(tf.mul(v, 3 + t)), 0.1)])));
    const run = (p: NamedParams, opt: ReturnType<typeof sgd>, from: number, to: number): void => {
      for (let t = from; t < to; t++) {
        const g = grad(p, t);
        opt.step(g);
        tf.dispose(g);
      }
    };
    const a = mk();
    const optA = sgd({ params: noDecayOnNormAndBias(a), lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
    expect(optA.paramGroups.map((g) => g.weightDecay)).toEqual([1e-4, 0]);
    run(a, optA, 0, 5);

    const b = mk();
    const optB = sgd({ params: noDecayOnNormAndBias(b), lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
    run(b, optB, 0, 2);
    const st = optB.state();
    expect(Object.keys(st.tensors).sort()).toEqual(['momentum_buffer.fc.bias', 'momentum_buffer.fc.weight']);
    const c = mk();
    b.forEach(([, v], i) => c[i][1].assign(v));
    const optC = sgd({ params: noDecayOnNormAndBias(c), lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
    optC.loadState(st, optB.stepCount);
    tf.dispose(Object.values(st.tensors));
    run(c, optC, 2, 5);
    a.forEach(([, v], i) => expect(Array.from(c[i][1].dataSync())).toEqual(Array.from(v.dataSync())));
  });

  it('keeps the tensor count flat across steps', () => {
    const p: NamedParams = [['w', tf.variable(tf.tensor1d(formula(5, 0)))]];
    const opt = adam({ params: p, lr: 0.01, weightDecay: 0.01 });
    const g = { w: tf.tensor1d(formula(5, 1)) };
    opt.step(g);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) opt.step(g);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a gradient of the wrong shape, naming the parameter', () => {
    const opt = sgd({ params: [['layer1.0.conv1.weight', tf.variable(tf.zeros([2, 2]))]], lr: 0.1 });
    expect(() => opt.step({ 'layer1.0.conv1.weight': tf.zeros([3]) })).toThrow(/layer1\.0\.conv1\.weight/);
  });
});

describe('SGD on wasm runs one fused SGDStep kernel per parameter', () => {
  const settings = [
    { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 },
    { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
    { lr: 0.3, momentum: 0.5, dampening: 0.25 },
    { lr: 0.01 },
  ];
  // Five steps of each setting; the parameter's bits after every step.
  async function trajectory(backend: 'cpu' | 'wasm', setting: (typeof settings)[number]): Promise<number[][]> {
    await useBackend(backend);
    const w = tf.variable(tf.tensor1d(formula(4099, 0)), true, `fused-${backend}-${JSON.stringify(setting)}`);
    const opt = sgd({ ...setting, params: [['w', w]] });
    const out: number[][] = [];
    for (let t = 0; t < 5; t++) {
      const g = tf.tensor1d(formula(4099, t, 0.21));
      opt.step({ w: g });
      g.dispose();
      out.push(Array.from(new Uint32Array((w.dataSync() as Float32Array).buffer)));
    }
    opt.dispose();
    w.dispose();
    return out;
  }

  it.each(settings.map((s) => [JSON.stringify(s), s] as const))('%s: bit-identical to the op chain on cpu', async (_, s) => {
    const cpu = await trajectory('cpu', s);
    const wasm = await trajectory('wasm', s);
    expect(wasm).toEqual(cpu);
    expect(cpu[4]).not.toEqual(cpu[0]);
  });

  it('uses the kernel, and no other kernel, for the update', async () => {
    await useBackend('wasm');
    const w = tf.variable(tf.ones([10]), true, 'fused-profile');
    const opt = sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4, params: [['w', w]] });
    const g = tf.ones([10]);
    opt.step({ w: g });
    const profile = await tf.profile(() => opt.step({ w: g }));
    expect(profile.kernelNames).toEqual(['SGDStep']);
    expect(tf.memory().numTensors).toBeGreaterThan(0);
    const before = tf.memory().numTensors;
    opt.step({ w: g });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([g]);
    opt.dispose();
    w.dispose();
  });
});
