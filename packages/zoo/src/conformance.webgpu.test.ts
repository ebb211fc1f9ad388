// The conformance suite on webgpu (SwiftShader in CI, the machine's GPU with RESIDUAL_WEBGPU_HARDWARE=1):
// every registered model, with no per-model code, must
//  - build on webgpu with exactly the weights it gets on wasm (upload and read-back bit for bit),
//  - give the same eval-mode logits as the cpu backend (≤ 1e-4 of the largest logit, as on wasm),
//  - give every parameter a finite, non-zero gradient in train mode that agrees with wasm's,
//  - report no WebGPU validation error (an invalid shader would otherwise only show as garbage),
//  - and leave no tensor behind.
// Tensors never move between backends here: webgpu in Node cannot read synchronously, so each backend
// gets its own copy of the model, built from the same deterministic generator.
import '@residual/backend-wasm';
import { takeWebGPUErrors } from '@residual/backend-webgpu';
import { tf, toHost, useBackend } from '@residual/tensor';
import type { Module } from '@residual/nn';
import { createModel, getModelCard, listModels } from './index';
import { FastRng } from './testing/fast-rng';
import { formulaUniform } from './testing/formula';

type Values = Record<string, Float32Array>;

/** The input size of the gradient check: CIFAR nets at 32×32 (4×4 leaves BatchNorm with 2 values a channel, whose gradients no two float32 implementations agree on), ImageNet nets at their minimum. */
function gradSize(minInputSize: number): number {
  return minInputSize >= 32 ? minInputSize : 32;
}

// Gradients are compared as one vector per model: ‖g_webgpu − g_wasm‖₂ / ‖g_wasm‖₂. Deep plain nets
// amplify float32 rounding through flipped ReLUs (their training is chaotic, which is the paper's point),
// so per-element equality is not a property any two float32 backends have; shallow nets are held to
// 1e-4 per tensor by the SGD-step tests against PyTorch.
const GRAD_TOL = 2e-2;

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    const d = Math.abs(a[i] - b[i]);
    err = Number.isNaN(d) ? Infinity : Math.max(err, d);
  }
  return scale === 0 ? err : err / scale;
}

/** The same values on every backend: a hash formula on [-1, 1), made on the host. */
function input(batch: number, s: number, c: number, key: number): tf.Tensor4D {
  const u = formulaUniform(batch * s * s * c, key);
  return tf.tensor4d(Float32Array.from(u, (v) => 2 * v - 1), [batch, s, s, c]);
}

async function valuesOf(sd: Record<string, tf.Tensor>): Promise<Values> {
  await toHost(sd);
  const out: Values = {};
  for (const [k, t] of Object.entries(sd)) out[k] = Float32Array.from(t.dataSync());
  tf.dispose(Object.values(sd));
  return out;
}

async function gradients(model: Module, x: tf.Tensor, numClasses: number): Promise<Values> {
  model.train();
  const named = model.namedParameters();
  const w = tf.tidy(() => tf.reshape(tf.linspace(-1, 1.5, numClasses), [1, numClasses]));
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(x), w)) as tf.Scalar, named.map(([, v]) => v));
  const out: Values = {};
  for (const [name, v] of named) out[name] = (await grads[v.name].data()) as Float32Array;
  tf.dispose([value, w, ...Object.values(grads)]);
  return out;
}

describe.each(listModels())('%s conforms on webgpu', (name) => {
  const card = getModelCard(name);
  const [, , c] = card.inputSize;
  const s = card.minInputSize;
  const g = gradSize(s);
  const batch = 2;
  let ref: Module;
  let gpu: Module;

  beforeAll(async () => {
    await useBackend('wasm');
    ref = createModel(name, { rng: new FastRng(1) });
    await useBackend('webgpu');
    takeWebGPUErrors();
    gpu = createModel(name, { rng: new FastRng(1) });
  }, 600000);
  afterAll(async () => {
    await useBackend('webgpu');
    gpu?.dispose();
    await useBackend('wasm');
    ref?.dispose();
  });

  it('builds the same weights as on wasm', async () => {
    await useBackend('wasm');
    const want = await valuesOf(ref.stateDict());
    await useBackend('webgpu');
    const got = await valuesOf(gpu.stateDict());
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const k of Object.keys(want)) {
      if (Buffer.compare(Buffer.from(got[k].buffer), Buffer.from(want[k].buffer)) !== 0) throw new Error(`${name}: '${k}' differs on webgpu`);
    }
  }, 600000);

  it('gives the same eval-mode logits as cpu, and leaks no tensor', async () => {
    await useBackend('cpu');
    ref.eval();
    const xc = input(batch, s, c, 11);
    const ycpu = ref.forward(xc);
    const cpu = Float32Array.from(ycpu.dataSync());
    tf.dispose([xc, ycpu]);
    await useBackend('webgpu');
    gpu.eval();
    const x = input(batch, s, c, 11);
    const before = tf.memory().numTensors;
    const y = gpu.forward(x);
    const got = (await y.data()) as Float32Array;
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    expect(takeWebGPUErrors()).toEqual([]);
    expect(got).toHaveLength(batch * card.numClasses);
    expect(relErr(got, cpu)).toBeLessThanOrEqual(1e-4);
  }, 600000);

  it(`gives every parameter a finite, non-zero gradient that agrees with wasm (batch ${batch}, ${g}×${g})`, async () => {
    await useBackend('wasm');
    const xw = input(batch, g, g, c === 3 ? 13 : 14);
    const want = await gradients(ref, xw, card.numClasses);
    xw.dispose();
    await useBackend('webgpu');
    const x = input(batch, g, g, c === 3 ? 13 : 14);
    const before = tf.memory().numTensors;
    const got = await gradients(gpu, x, card.numClasses);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    expect(takeWebGPUErrors()).toEqual([]);
    const gaps: string[] = [];
    let diff = 0;
    let norm = 0;
    for (const [k, v] of Object.entries(want)) {
      const u = got[k];
      if (!u) {
        gaps.push(`${k} (no gradient)`);
        continue;
      }
      let abs = 0;
      for (let i = 0; i < u.length; i++) {
        if (!Number.isFinite(u[i])) {
          gaps.push(`${k} (not finite)`);
          break;
        }
        abs += Math.abs(u[i]);
        diff += (u[i] - v[i]) ** 2;
        norm += v[i] ** 2;
      }
      if (!(abs > 0)) gaps.push(`${k} (zero)`);
    }
    expect(gaps).toEqual([]);
    expect(Math.sqrt(diff / norm)).toBeLessThanOrEqual(GRAD_TOL);
  }, 900000);
});
