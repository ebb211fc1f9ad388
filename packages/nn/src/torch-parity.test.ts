import { tf, useBackend } from '@residual/tensor';
import '@residual/backend-wasm';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BasicBlock,
  BatchNorm2d,
  Bottleneck,
  PreActBasicBlock,
  PreActBottleneck,
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  Module,
  Sequential,
} from './index';
import { caseState, formula, readJson, relError, toNCHW, toNHWC, type LayerCase } from './testing/fixtures';

const { cases } = readJson<{ cases: LayerCase[] }>('layers.json');

const KNOWN = [
  'Conv2d',
  'BatchNorm2d',
  'Linear',
  'MaxPool2d',
  'AvgPool2d',
  'AdaptiveAvgPool2d',
  'FlattenLinear',
  'BasicBlock',
  'Bottleneck',
  'PreActBasicBlock',
  'PreActBottleneck',
];

/* eslint-disable @typescript-eslint/no-explicit-any */
function build(c: LayerCase): Module | null {
  const a = c.args as any[];
  const o = c.options as any;
  switch (c.layer) {
    case 'Conv2d':
      return new Conv2d(a[0], a[1], a[2], o);
    case 'BatchNorm2d':
      return new BatchNorm2d(a[0], o);
    case 'Linear':
      return new Linear(a[0], a[1], o);
    case 'MaxPool2d':
      return new MaxPool2d(a[0], o);
    case 'AvgPool2d':
      return new AvgPool2d(a[0], o);
    case 'AdaptiveAvgPool2d':
      return new AdaptiveAvgPool2d(a[0]);
    case 'FlattenLinear':
      return new Sequential(new Flatten(), new Linear(a[0], a[1]));
    case 'BasicBlock':
      return new BasicBlock(a[0], a[1], o);
    case 'Bottleneck':
      return new Bottleneck(a[0], a[1], o);
    case 'PreActBasicBlock':
      return new PreActBasicBlock(a[0], a[1], o);
    case 'PreActBottleneck':
      return new PreActBottleneck(a[0], a[1], o);
    default:
      return null;
  }
}

/** Run a fixture case: forward, loss = Σ out·R, gradients w.r.t. input and parameters. */
export function runCase(m: Module, c: LayerCase) {
  const sd = caseState(c);
  m.loadStateDict(sd);
  Object.values(sd).forEach((t) => t.dispose());
  m.train(c.train);
  const x = tf.tidy(() => tf.variable(toNHWC(formula(c.input))));
  const params = m.namedParameters();
  let out: tf.Tensor | null = null;
  const { grads, value } = tf.variableGrads(() => {
    const y = m.forward(x);
    out = tf.keep(toNCHW(y));
    const r = toNHWC(formula({ shape: c.output.shape, k: 0.5, scale: 1, offset: 0 }));
    return tf.sum(tf.mul(y, r)) as tf.Scalar;
  }, [x, ...params.map(([, v]) => v)]);
  value.dispose();
  const result = {
    out: out! as tf.Tensor,
    outShape: (out! as tf.Tensor).shape,
    inputGrad: toNCHW(grads[x.name]),
    paramGrads: Object.fromEntries(params.map(([k, v]) => [k, m.toStateDictLayout(k, grads[v.name])])),
    stateAfter: m.stateDict(),
  };
  Object.values(grads).forEach((g) => g.dispose());
  x.dispose();
  return result;
}

export function expectCase(m: Module, c: LayerCase, tol = 1e-4): void {
  const r = runCase(m, c);
  expect(r.outShape).toEqual(c.output.shape);
  expect(relError(r.out.dataSync(), c.output.data)).toBeLessThan(tol);
  expect(relError(r.inputGrad.dataSync(), c.inputGrad)).toBeLessThan(tol);
  expect(Object.keys(r.paramGrads).sort()).toEqual(Object.keys(c.paramGrads).sort());
  for (const [k, g] of Object.entries(r.paramGrads)) {
    const err = relError(g.dataSync(), c.paramGrads[k]);
    if (!(err < tol)) throw new Error(`${c.name}: gradient of ${k} off by ${err}`);
  }
  expect(Object.keys(r.stateAfter)).toEqual(c.keys.map(([k]) => k));
  for (const [k, t] of Object.entries(r.stateAfter)) {
    expect([k, t.shape]).toEqual([k, c.keys.find(([key]) => key === k)![1]]);
    const err = relError(t.dataSync(), c.stateAfter[k]);
    if (!(err < tol)) throw new Error(`${c.name}: state ${k} after the step off by ${err}`);
  }
  tf.dispose([r.out, r.inputGrad, ...Object.values(r.paramGrads), ...Object.values(r.stateAfter)]);
}

describe.each(['cpu', 'wasm'] as const)(
  'on %s, layers and blocks match PyTorch 1.13 (outputs, input and weight gradients, running stats)',
  (backend) => {
    beforeAll(async () => {
      await useBackend(backend);
    });
    afterAll(async () => {
      await useBackend('cpu');
    });
    const layerCases = cases.filter((c) => KNOWN.includes(c.layer));
    it('has the layer fixtures', () => {
      expect(layerCases.length).toBe(cases.length);
    });
    it.each(layerCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expect(tf.getBackend()).toBe(backend);
      const m = build(c)!;
      const before = tf.memory().numTensors;
      expectCase(m, c);
      expect(tf.memory().numTensors).toBe(before);
      m.dispose();
    });
  },
);
