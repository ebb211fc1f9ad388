// Equivalence with PyTorch: with the formula weights and input of tools/zoo/gen_fixtures.py, logits in
// eval mode (running statistics) and train mode (batch statistics), and the running statistics a
// train-mode forward leaves behind, equal torchvision's / the PyTorch CIFAR reference's (computed in
// float64 there, so the tolerance bounds our float32 error against the exact result).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '@residual/backend-wasm';
import { tf, useBackend } from '@residual/tensor';
import type { Module } from '@residual/nn';
import { createModel, WideResNet } from './index';
import { formulaInput, formulaUniform, loadFormulaWeights } from './testing/formula';
import { FastRng } from './testing/fast-rng';

// The formula weights replace whatever the init drew; FastRng just makes building quick.
const rng = new FastRng(0);

interface EqFixture {
  name: string;
  inputShape: [number, number, number, number];
  evalLogits: number[];
  trainLogits: number[];
  logitsShape: number[];
  runningStatsAfterTrainForward: Record<string, number[]>;
  /** A float32 PyTorch train-mode forward's relative error against the float64 one (the conditioning). */
  float32TrainError: number;
}
const fixture = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'equivalence.json'), 'utf8')) as {
  formulaCheck: { n: number; k: number; values: number[]; tailIndex: number; tail: number };
  models: EqFixture[];
};

// How each reference network is built here. The nets PyTorch has no registry entry for are built
// through the exported factories.
const BUILD: Record<string, () => Module> = {
  resnet18: () => createModel('resnet18', { rng }),
  resnet50: () => createModel('resnet50', { rng }),
  resnet20: () => createModel('resnet20', { shortcut: 'A', rng }),
  resnet56: () => createModel('resnet56', { rng }),
  resnet20_optionB: () => createModel('resnet20', { shortcut: 'B', rng }),
  plain20: () => createModel('plain20', { rng }),
  preact_resnet18: () => createModel('preact_resnet18', { rng }),
  resnet18_cifar: () => createModel('resnet18_cifar', { rng }),
  cifar_resnet47_bottleneck: () => createModel('cifar_resnet', { depth: 47, block: 'bottleneck', rng }),
  wide_resnet16_2: () => new WideResNet({ depth: 16, widenFactor: 2, rng }),
  resnext50_32x4d: () => createModel('resnext50_32x4d', { rng }),
  resnext101_32x8d: () => createModel('resnext101_32x8d', { rng }),
  resnext101_64x4d: () => createModel('resnext101_64x4d', { rng }),
  wide_resnet50_2: () => createModel('wide_resnet50_2', { rng }),
};
// Everything runs on wasm: the cpu backend is too slow for CI at these sizes, and the conformance
// suite checks cpu and wasm agree on every model.
const WASM = new Set(Object.keys(BUILD));

function maxRelErr(got: ArrayLike<number>, want: number[]): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  return err / scale;
}

describe('the weight formula', () => {
  it('is bit-identical to the generator', () => {
    const { n, k, values, tailIndex, tail } = fixture.formulaCheck;
    expect(Array.from(formulaUniform(n, k))).toEqual(values);
    expect(formulaUniform(tailIndex + 1, 5)[tailIndex]).toBe(tail);
  });
});

describe.each(fixture.models.map((m) => [m.name, m] as const))('%s equals PyTorch', (name, ref) => {
  let model: Module;
  let x: tf.Tensor4D;
  beforeAll(async () => {
    await useBackend(WASM.has(name) ? 'wasm' : 'cpu');
    const build = BUILD[name];
    if (!build) throw new Error(`equivalence.test.ts: no builder for fixture model '${name}'`);
    model = build();
    x = formulaInput(ref.inputShape);
  });
  afterAll(() => {
    model?.dispose();
    x?.dispose();
  });

  it('in eval mode (running statistics)', () => {
    loadFormulaWeights(model);
    model.eval();
    const y = model.forward(x);
    expect(y.shape).toEqual(ref.logitsShape);
    expect(maxRelErr(y.dataSync(), ref.evalLogits)).toBeLessThanOrEqual(1e-4);
    y.dispose();
  });

  it('in train mode (batch statistics), updating the running statistics as PyTorch', () => {
    loadFormulaWeights(model);
    model.train();
    const y = model.forward(x);
    const errors: Record<string, number> = { logits: maxRelErr(y.dataSync(), ref.trainLogits) };
    y.dispose();
    const sd = model.stateDict();
    for (const [key, want] of Object.entries(ref.runningStatsAfterTrainForward)) {
      errors[key] = maxRelErr(sd[key].dataSync(), want);
    }
    Object.values(sd).forEach((t) => t.dispose());
    // 1e-4, or as close to the exact result as PyTorch's own float32 forward gets where that is worse
    // (the 101-layer ResNeXts: batch statistics through 33 units amplify rounding), within a factor 2.
    const tol = Math.max(1e-4, 2 * ref.float32TrainError);
    // Lists whatever is off, with its error, so a failure names the tensor.
    expect(Object.entries(errors).filter(([, e]) => !(e <= tol))).toEqual([]);
  });
});
