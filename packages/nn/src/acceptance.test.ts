// Acceptance tests of the foundation issue: a small ResNet built from these modules trains on the wasm
// backend with the cpu backend's gradients, and a training loop does not leak tensors.
import { tf, useBackend, seed } from '@residual/tensor';
import '@residual/backend-wasm';
import { AdaptiveAvgPool2d, BasicBlock, BatchNorm2d, Conv2d, Flatten, Linear, Module, ReLU } from './index';
import { relError } from './testing/fixtures';

class SmallResNet extends Module {
  readonly conv1 = this.registerModule('conv1', new Conv2d(3, 8, 3, { padding: 1, bias: false }));
  readonly bn1 = this.registerModule('bn1', new BatchNorm2d(8));
  readonly relu = this.registerModule('relu', new ReLU());
  readonly layer1 = this.registerModule('layer1', new BasicBlock(8, 16, { stride: 2, shortcut: 'B' }));
  readonly layer2 = this.registerModule('layer2', new BasicBlock(16, 32, { stride: 2, shortcut: 'A' }));
  readonly avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
  readonly flatten = this.registerModule('flatten', new Flatten());
  readonly fc = this.registerModule('fc', new Linear(32, 5));

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
      h = this.layer2.forward(this.layer1.forward(h));
      return this.fc.forward(this.flatten.forward(this.avgpool.forward(h)));
    });
  }
}

function batch(step: number, N = 4, H = 10): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const n = N * H * H * 3;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.sin(0.37 * i + step) + 0.3 * Math.cos(0.11 * i * (step + 1));
    const labels = Array.from({ length: N }, (_, i) => (i + step) % 5);
    return {
      x: tf.tensor4d(data, [N, H, H, 3]),
      y: tf.oneHot(tf.tensor1d(labels, 'int32'), 5) as tf.Tensor2D,
    };
  });
}

/** One SGD step (forward, loss, gradients, update); with `keep`, records loss and gradients. Releases all it creates. */
function sgdStep(
  model: Module,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
  lr: number,
  keep?: Map<string, Float32Array>,
): void {
  const xv = tf.variable(x, true);
  const params = model.namedParameters();
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(y, model.forward(xv)) as tf.Scalar,
    [xv, ...params.map(([, v]) => v)],
  );
  if (keep) {
    keep.set('loss', value.dataSync() as Float32Array);
    keep.set('input', grads[xv.name].dataSync() as Float32Array);
    for (const [k, v] of params) keep.set(`grad:${k}`, grads[v.name].dataSync() as Float32Array);
  }
  tf.tidy(() => {
    for (const [, v] of params) v.assign(tf.sub(v, tf.mul(grads[v.name], lr)));
  });
  tf.dispose([value, xv, ...Object.values(grads)]);
}

async function trainOn(backend: 'cpu' | 'wasm'): Promise<Map<string, Float32Array>> {
  await useBackend(backend);
  seed(0);
  const model = new SmallResNet();
  const out = new Map<string, Float32Array>();
  const { x, y } = batch(0);
  sgdStep(model, x, y, 0.1, out);
  for (const [k, v] of [...model.namedParameters(), ...model.namedBuffers()])
    out.set(`after:${k}`, Float32Array.from(v.dataSync()));
  model.eval();
  const logits = model.forward(x);
  out.set('evalLogits', logits.dataSync() as Float32Array);
  tf.dispose([x, y, logits]);
  model.dispose();
  return out;
}

describe('acceptance: a small ResNet trains on wasm exactly as on cpu', () => {
  afterAll(async () => {
    await useBackend('cpu');
  });

  it('has equal loss, dW, dx, updated weights, running stats and eval logits (≤ 1e-4 relative)', async () => {
    const cpu = await trainOn('cpu');
    const wasm = await trainOn('wasm');
    expect([...wasm.keys()]).toEqual([...cpu.keys()]);
    expect(cpu.has('grad:layer1.downsample.0.weight')).toBe(true);
    expect(cpu.has('grad:layer2.downsample.0.weight')).toBe(false); // option A has no parameters
    const bad: string[] = [];
    for (const [k, ref] of cpu) {
      const err = relError(wasm.get(k)!, ref);
      if (!(err <= 1e-4)) bad.push(`${k}: ${err}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('acceptance: 20 training steps keep tf.memory().numTensors flat', () => {
  // tfjs's cpu Conv2DBackpropFilter is slow, so the cpu run uses a smaller batch.
  it.each([
    ['wasm', 4, 10],
    ['cpu', 2, 6],
  ] as const)('on %s', async (backend, n, h) => {
    await useBackend(backend);
    seed(1);
    const model = new SmallResNet();
    const data = Array.from({ length: 4 }, (_, i) => batch(i, n, h));
    sgdStep(model, data[0].x, data[0].y, 0.05); // first step may allocate backend-side caches
    const before = tf.memory().numTensors;
    const nbt = model.bn1.numBatchesTracked!;
    const rmBefore = Float32Array.from(model.layer1.bn2.runningMean!.dataSync());
    for (let step = 0; step < 20; step++) {
      const { x, y } = data[step % data.length];
      sgdStep(model, x, y, 0.05);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(nbt.dataSync()[0]).toBe(21);
    expect(relError(model.layer1.bn2.runningMean!.dataSync(), rmBefore)).toBeGreaterThan(1e-3);
    tf.dispose(data.flatMap((d) => [d.x, d.y]));
    model.dispose();
  });
});
