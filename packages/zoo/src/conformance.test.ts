// The conformance suite: every registered model, with no per-model code, must
//  - have the parameter count and multiply-adds of its card,
//  - map any input at least its minimum size to [N, numClasses] logits,
//  - give the same logits on cpu and wasm (≤ 1e-4 relative to the largest logit),
//  - survive a state-dict round trip through safetensors bit for bit,
//  - give every parameter a finite, non-zero gradient, on cpu and on wasm,
//  - and leave no tensor behind.
// A model registered anywhere under src/models/ is picked up by listModels() below.
import '@residual/backend-wasm';
import { tf, useBackend } from '@residual/tensor';
import { decodeSafetensors, encodeSafetensors, type Module } from '@residual/nn';
import { countMacs, createModel, getModelCard, listModels } from './index';
import { FastRng } from './testing/fast-rng';

// tfjs's cpu backward convolutions are naive loops (a ResNet-18 step at 32×32 takes a minute on a
// CI core), so gradients run on cpu only where a step costs less than this many multiply-adds
// (train step ≈ 3× forward): the CIFAR nets up to ResNet-110 and the bottleneck ResNet-164. wasm
// checks every model; every model's forward runs on both.
const CPU_GRAD_BUDGET = 3e7;

function relErr(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return scale === 0 ? err : err / scale;
}

function bytesOf(t: tf.Tensor): Buffer {
  const a = t.dataSync();
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function input(batch: number, h: number, w: number, c: number, key: number): tf.Tensor4D {
  return tf.tidy(() => tf.randomUniform([batch, h, w, c], -1, 1, 'float32', key) as tf.Tensor4D);
}

/** Parameters whose gradient is missing, non-finite or all zero, after a train-mode step. */
function gradientGaps(model: Module, x: tf.Tensor, numClasses: number): string[] {
  model.train();
  const named = model.namedParameters();
  const w = tf.tidy(() => tf.reshape(tf.linspace(-1, 1.5, numClasses), [1, numClasses]));
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(model.forward(x), w)) as tf.Scalar,
    named.map(([, v]) => v),
  );
  const gaps: string[] = [];
  for (const [name, v] of named) {
    const g = grads[v.name];
    if (!g) {
      gaps.push(`${name} (no gradient)`);
      continue;
    }
    const [finite, norm] = tf.tidy(() => [tf.all(tf.isFinite(g)).dataSync()[0], tf.sum(tf.abs(g)).dataSync()[0]]);
    if (!finite) gaps.push(`${name} (not finite)`);
    else if (!(norm > 0)) gaps.push(`${name} (zero)`);
  }
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  w.dispose();
  return gaps;
}

describe.each(listModels())('%s conforms', (name) => {
  const card = getModelCard(name);
  const [, , c] = card.inputSize;
  const s = card.minInputSize;
  // Batch statistics need more than one value per channel in the last stage.
  const batch = 2;
  let model: Module;
  let x: tf.Tensor4D;

  beforeAll(async () => {
    // Built on wasm (fast transposes); tfjs moves variables to whichever backend reads them.
    await useBackend('wasm');
    model = createModel(name, { rng: new FastRng(1) });
    x = input(batch, s, s, c, 11);
  });
  afterAll(async () => {
    model?.dispose();
    x?.dispose();
    await useBackend('cpu');
  });

  it('matches its card: parameters, multiply-adds, a sane input spec', async () => {
    await useBackend('wasm');
    expect(model.numParameters()).toBe(card.params);
    expect(countMacs(model, card.inputSize).total).toBe(card.macs);
    expect(card.mean).toHaveLength(c);
    expect(card.std).toHaveLength(c);
    expect(card.minInputSize).toBeLessThanOrEqual(Math.min(card.inputSize[0], card.inputSize[1]));
    expect(card.citation.length).toBeGreaterThan(10);
    if (card.referenceAccuracy) expect(card.referenceAccuracy.source.length).toBeGreaterThan(3);
  });

  it('maps inputs of any size ≥ its minimum to [N, numClasses] logits', async () => {
    await useBackend('wasm');
    // Train mode: at initialisation the running statistics are (0, 1), and in eval mode the residual
    // stream of a 1202-layer net grows past float32, in PyTorch as here.
    model.train();
    const odd = input(1, s + 3, 2 * s + 1, c, 12);
    const y1 = model.forward(x);
    const y2 = model.forward(odd);
    expect(y1.shape).toEqual([batch, card.numClasses]);
    expect(y2.shape).toEqual([1, card.numClasses]);
    expect(Array.from(y2.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([odd, y1, y2]);
    expect(() => model.forward(tf.zeros([1, s, s, c + 1]))).toThrow(new RegExp(name.replace(/_/g, '.')));
  });

  it('gives the same logits on cpu and wasm, and leaks no tensor', async () => {
    model.eval();
    await useBackend('cpu');
    const before = tf.memory().numTensors;
    const ycpu = model.forward(x);
    const cpu = ycpu.dataSync() as Float32Array;
    ycpu.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await useBackend('wasm');
    const ywasm = model.forward(x);
    expect(relErr(ywasm.dataSync() as Float32Array, cpu)).toBeLessThanOrEqual(1e-4);
    ywasm.dispose();
  });

  it('survives a state-dict round trip through safetensors', async () => {
    await useBackend('wasm');
    model.eval();
    const y = model.forward(x);
    const sd = model.stateDict();
    const bytes = encodeSafetensors(sd);
    Object.values(sd).forEach((t) => t.dispose());
    const other = createModel(name, { rng: new FastRng(2) });
    try {
      const loaded = decodeSafetensors(bytes);
      const result = other.loadStateDict(loaded);
      expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
      const back = other.stateDict();
      for (const [key, t] of Object.entries(loaded)) {
        expect([key, back[key].dtype, back[key].shape]).toEqual([key, t.dtype, t.shape]);
        if (Buffer.compare(bytesOf(back[key]), bytesOf(t)) !== 0) {
          throw new Error(`${name}: '${key}' changed in the safetensors round trip`);
        }
      }
      Object.values(loaded).forEach((t) => t.dispose());
      Object.values(back).forEach((t) => t.dispose());
      other.eval();
      const y2 = other.forward(x);
      expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
      y2.dispose();
    } finally {
      other.dispose();
      y.dispose();
    }
  });

  it.each(['wasm', 'cpu'] as const)('gives every parameter a gradient on %s, leaking nothing', async (backend) => {
    const cost = (card.macs * batch * s * s * 3) / (card.inputSize[0] * card.inputSize[1]);
    if (backend === 'cpu' && cost > CPU_GRAD_BUDGET) return void expect(cost).toBeGreaterThan(CPU_GRAD_BUDGET);
    await useBackend(backend);
    const before = tf.memory().numTensors;
    expect(gradientGaps(model, x, card.numClasses)).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
