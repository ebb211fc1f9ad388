import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import '@residual/backend-wasm';
import { tf, useBackend } from '@residual/tensor';
import { Module, Linear } from '@residual/nn';
import {
  createModel,
  getModelCard,
  hasModel,
  listModels,
  modelOptions,
  registerModel,
  WideResNet,
  resnet20,
  resnet56,
  cifar_resnet,
  wide_resnet28_10,
  type ModelCard,
} from './index';
import * as zoo from './index';
import type { ModelFactory } from './index';
import { FastRng } from './testing/fast-rng';

beforeAll(async () => {
  await useBackend('wasm');
});

const ISSUE_MODELS = [
  'resnet20', 'resnet32', 'resnet44', 'resnet56', 'resnet110', 'resnet1202',
  'plain20', 'plain32', 'plain44', 'plain56', 'plain110', 'cifar_resnet',
  'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152',
  'resnet18_cifar', 'resnet34_cifar', 'resnet50_cifar',
  'preact_resnet18', 'wide_resnet28_10', 'resnext50_32x4d',
  'resnext101_32x8d', 'resnext101_64x4d', 'wide_resnet50_2', 'wide_resnet101_2',
];

describe('registry', () => {
  it('registers every network of the issue, listed sorted and by family', () => {
    expect(listModels()).toEqual(expect.arrayContaining(ISSUE_MODELS));
    expect(listModels()).toEqual([...listModels()].sort());
    expect(listModels({ family: 'resnet' })).toEqual(['resnet101', 'resnet152', 'resnet18', 'resnet34', 'resnet50']);
    expect(hasModel('resnet18')).toBe(true);
    expect(hasModel('resnet19')).toBe(false);
  });

  it('names the registered models when asked for an unknown one', () => {
    expect(() => createModel('resnet19')).toThrow(/unknown model 'resnet19'.*resnet18/);
    expect(() => getModelCard('nope')).toThrow(/unknown model 'nope'/);
  });

  it('rejects options a model does not take, naming the ones it does', () => {
    expect(() => createModel('resnet18', { shortcut: 'A' })).toThrow(/option 'shortcut' does not apply.*numClasses/);
    expect(() => createModel('resnet20', { numClasses: 0 })).toThrow(/numClasses must be a positive integer/);
    expect(() => createModel('resnet20', { inChannels: 1.5 })).toThrow(/inChannels/);
    expect(modelOptions('resnet20')).toEqual(expect.arrayContaining(['numClasses', 'inChannels', 'shortcut']));
  });

  it("exports every registered model's factory under its registry name, typed with its options", () => {
    const exported = zoo as unknown as Record<string, unknown>;
    for (const name of listModels().filter((n) => !n.startsWith('tiny_'))) {
      const f = exported[name] as ModelFactory | undefined;
      expect(typeof f).toBe('function');
      expect(f!.modelName).toBe(name);
      expect(f!.card).toBe(getModelCard(name));
    }
    const rng = new FastRng(2);
    const [a, b] = [resnet56({ shortcut: 'B', rng }), createModel('resnet56', { shortcut: 'B', rng })];
    expect(a.namedParameters().map(([k]) => k)).toEqual(b.namedParameters().map(([k]) => k));
    expect(a.numParameters()).toBe(855770);
    a.dispose();
    b.dispose();
    expect(cifar_resnet({ depth: 20, block: 'basic', rng }).numParameters()).toBe(269722);
    // The options type comes from the same list as the runtime check.
    // @ts-expect-error resnet20 takes no dropRate
    expect(() => resnet20({ dropRate: 0.1 })).toThrow(/option 'dropRate' does not apply/);
    // @ts-expect-error wide_resnet28_10 takes no shortcut
    expect(() => wide_resnet28_10({ shortcut: 'A' })).toThrow(/option 'shortcut' does not apply/);
  });

  it('builds a model from a spec (a recipe\'s "model"), validating it as createModel does', () => {
    const net = createModel({ name: 'resnet20', options: { shortcut: 'B', numClasses: 7 } }, { rng: new FastRng(8) });
    expect(net.numParameters()).toBe(272474 - 3 * 65);
    net.dispose();
    expect(() => createModel({ name: 'resnet18', options: { shortcut: 'A' } })).toThrow(/option 'shortcut' does not apply/);
    expect(() => createModel({ name: 'resnet19' })).toThrow(/unknown model 'resnet19'/);
    expect(() => createModel({ name: 'resnet20', options: [] as never })).toThrow(/options must be an object/);
    expect(() => createModel({ name: 'resnet20', options: { rng: new FastRng(1) } as never })).toThrow(/generator/);
    expect(() => createModel({ nom: 'resnet20' } as never)).toThrow(/expected a model name or a spec/);
  });

  it('builds grey-scale, n-class and option-B variants', () => {
    const rng = new FastRng(3);
    const fashion = createModel('resnet20', { inChannels: 1, numClasses: 7, rng });
    const b = createModel('resnet56', { shortcut: 'B', rng });
    try {
      const y = fashion.forward(tf.zeros([2, 28, 28, 1]));
      expect(y.shape).toEqual([2, 7]);
      y.dispose();
      // 269722 − 16·2·9 (conv1 sees one channel) − 3·65 (fc to 7 classes instead of 10)
      expect(fashion.numParameters()).toBe(269722 - 16 * 2 * 9 - 3 * 65);
      expect(b.numParameters()).toBe(855770);
      expect(b.namedParameters().map(([k]) => k)).toContain('layer2.0.downsample.0.weight');
    } finally {
      fashion.dispose();
      b.dispose();
    }
  });

  it('builds bottleneck CIFAR nets of any 9n+2 depth and refuses other depths', () => {
    const rng = new FastRng(4);
    const net = createModel('cifar_resnet', { depth: 56, block: 'bottleneck', rng });
    expect(net.numParameters()).toBe(591322); // PyTorch reference, tools/zoo fixtures
    net.dispose();
    expect(() => createModel('cifar_resnet', { depth: 50, block: 'bottleneck' })).toThrow(/depth 50.*9n\+2/);
    expect(() => createModel('resnet20', { shortcut: 'Z' as never })).toThrow(/shortcut/);
  });

  it('starts residual branches at zero with zeroInitResidual', () => {
    const net = createModel('resnet20', { zeroInitResidual: true, rng: new FastRng(5) });
    const bn2 = net.namedParameters().find(([k]) => k === 'layer1.0.bn2.weight')![1];
    expect(Array.from(bn2.dataSync()).every((v) => v === 0)).toBe(true);
    net.dispose();
  });

  it('drops units in train mode only when a wide ResNet has a dropRate', () => {
    const net = new WideResNet({ depth: 10, widenFactor: 1, dropRate: 0.5, rng: new FastRng(6) });
    const x = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 1);
    try {
      const plain = new WideResNet({ depth: 10, widenFactor: 1, rng: new FastRng(7) });
      expect(net.namedParameters().map(([k]) => k)).toEqual(plain.namedParameters().map(([k]) => k));
      plain.dispose();
      const [a, b] = [net.forward(x), net.forward(x)];
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(0);
      net.eval();
      const [c, d] = [net.forward(x), net.forward(x)];
      expect(Array.from(c.dataSync())).toEqual(Array.from(d.dataSync()));
      tf.dispose([a, b, c, d]);
    } finally {
      net.dispose();
      x.dispose();
    }
    expect(() => createModel('wide_resnet28_10', { dropRate: 1 })).toThrow(/dropRate/);
  });

  it('registers a new architecture with its card, and refuses bad registrations', () => {
    class Tiny extends Module {
      readonly fc: Linear;
      constructor(n: number) {
        super();
        this.fc = this.registerModule('fc', new Linear(3, n));
      }
      forward(x: tf.Tensor): tf.Tensor {
        return tf.tidy(() => this.fc.forward(tf.mean(x, [1, 2])));
      }
    }
    const card: ModelCard = {
      ...getModelCard('resnet20'),
      name: 'tiny_test_net',
      description: 'test',
      params: 40,
      macs: 30,
    };
    const tiny_test_net = registerModel({ card, build: (o) => new Tiny(o.numClasses ?? 10) });
    expect(createModel('tiny_test_net').numParameters()).toBe(40);
    expect(tiny_test_net({ numClasses: 5 }).numParameters()).toBe(20);
    expect(tiny_test_net.card).toBe(getModelCard('tiny_test_net'));
    // The factory validates as createModel does: options outside its list are refused by name.
    expect(() => tiny_test_net({ shortcut: 'B' } as never)).toThrow(/option 'shortcut' does not apply/);
    expect(() => registerModel({ card, build: () => new Tiny(10) })).toThrow(/already registered/);
    expect(registerModel({ card, build: () => new Tiny(3), override: true })().numParameters()).toBe(12);
    expect(() => registerModel({ card: { ...card, name: 'TinyNet' }, build: () => new Tiny(10) })).toThrow(/snake_case/);
    expect(() =>
      registerModel({ card: { ...card, name: 'tiny_other' }, accepts: ['numClasses'] as never, build: () => new Tiny(10) }),
    ).toThrow(/'numClasses' is taken by every model/);
  });
  it('shares one registry between the ESM and the CJS build loaded in one process (no spurious "already registered")', () => {
    const root = join(__dirname, '..', '..', '..');
    const script = `const cjs = require('@residual/zoo');
      import('@residual/zoo').then((esm) => {
        const a = cjs.listModels(), b = esm.listModels();
        console.log(JSON.stringify({ same: a.join() === b.join(), n: a.length, params: esm.createModel('resnet20').numParameters() }));
      }, (e) => { console.log(JSON.stringify({ error: e.message })); });`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r).toMatchObject({ same: true, params: 269722 });
    expect(r.n).toBe(listModels().filter((n) => !n.startsWith('tiny_')).length); // this process registered a test net

  });
});
