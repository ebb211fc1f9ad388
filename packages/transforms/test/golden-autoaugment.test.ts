import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@residual/random';
import { AUTOAUGMENT_POLICIES, AutoAugment, RandAugment, TrivialAugmentWide, applyOp, augmentationSpace, type AugmentOpName } from '../src/index';
import { compareOp, GOLDEN_DIR, loadInputs, summary } from './golden';

const inputs = loadInputs();
const tables = JSON.parse(readFileSync(join(GOLDEN_DIR, 'policies.json'), 'utf8')) as {
  policies: Record<string, Array<Array<[string, number, number | null]>>>;
  spaces: Record<string, Record<string, { magnitudes: number[]; signed: boolean; scalar: boolean }>>;
  randaugmentOps: string[];
  trivialaugmentwideOps: string[];
};

describe('AutoAugment tables equal torchvision 0.14', () => {
  test.each(['imagenet', 'cifar10', 'svhn'] as const)('%s policy', (name) => {
    const ours = AUTOAUGMENT_POLICIES[name].map((sp) => sp.map(([op, p, m]) => [op, p, m]));
    expect(ours).toEqual(tables.policies[name]);
    expect(new AutoAugment({ policy: name }).policies).toHaveLength(25);
  });

  const cases: Array<[string, () => ReturnType<typeof augmentationSpace>]> = [
    ['autoaugment_10_24x32', () => augmentationSpace('autoaugment', 10, [24, 32])],
    ['autoaugment_10_224x224', () => augmentationSpace('autoaugment', 10, [224, 224])],
    ['autoaugment_10_32x32', () => augmentationSpace('autoaugment', 10, [32, 32])],
    ['randaugment_31_24x32', () => augmentationSpace('randaugment', 31, [24, 32])],
    ['randaugment_31_224x224', () => augmentationSpace('randaugment', 31, [224, 224])],
    ['trivialaugmentwide_31', () => augmentationSpace('trivialaugmentwide', 31)],
  ];
  test.each(cases)('magnitude bins %s (float32, bit-exact)', (key, make) => {
    const ours = make();
    const ref = tables.spaces[key];
    expect(Object.keys(ours)).toEqual(Object.keys(ref));
    for (const [op, s] of Object.entries(ref)) {
      const o = ours[op as AugmentOpName]!;
      expect(o.signed).toBe(s.signed);
      if (s.scalar) expect(o.magnitudes).toBeNull();
      else expect(o.magnitudes).toEqual(s.magnitudes);
    }
  });

  test('RandAugment / TrivialAugmentWide op order', () => {
    expect(Object.keys(augmentationSpace('randaugment', 31, [8, 8]))).toEqual(tables.randaugmentOps);
    expect(Object.keys(augmentationSpace('trivialaugmentwide', 31))).toEqual(tables.trivialaugmentwideOps);
  });
});

describe('every AutoAugment operation at each magnitude bin and sign matches torchvision _apply_op', () => {
  const r = compareOp(
    'autoaugmentOps',
    inputs,
    (img, p) => applyOp(img, p.op, p.magnitude, { interpolation: p.interpolation, fill: p.fill?.slice(0, img.channels) }),
    (c) => c.params.op,
  );
  test('all cases present with torchvision shapes', () => {
    expect(r.shapeErrors).toEqual([]);
    expect(r.cases).toBeGreaterThan(800);
    expect([...r.groups.keys()].sort()).toEqual(
      ['AutoContrast', 'Brightness', 'Color', 'Contrast', 'Equalize', 'Invert', 'Posterize', 'Rotate', 'Sharpness', 'ShearX', 'ShearY', 'Solarize', 'TranslateX', 'TranslateY'],
    );
  });
  // per operation, so one bad op cannot hide behind the others
  test.each(['ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate', 'Brightness', 'Color', 'Contrast', 'Sharpness', 'Posterize', 'Solarize', 'AutoContrast', 'Equalize', 'Invert'])(
    '%s within 1 LSB on >= 99.9%% of values',
    (op) => {
      const g = r.groups.get(op)!;
      if (process.env.GOLDEN_VERBOSE) console.log(op, g);
      expect(g.within1 / g.values).toBeGreaterThanOrEqual(0.999);
      // bit-exact today (float32 + FMA emulation of torch's kernels): any drift is a regression
      expect(g.exact).toBe(g.values);
    },
  );
});

describe('AutoAugment family transforms', () => {
  const img = inputs[0];
  test.each([
    ['AutoAugment imagenet', () => new AutoAugment()],
    ['AutoAugment cifar10', () => new AutoAugment({ policy: 'cifar10' })],
    ['AutoAugment svhn', () => new AutoAugment({ policy: 'svhn', fill: 128 })],
    ['RandAugment', () => new RandAugment()],
    ['TrivialAugmentWide', () => new TrivialAugmentWide()],
  ])('%s: same rng -> same output, outputs vary across rngs, input untouched', (_name, make) => {
    const t = make();
    const before = img.data.slice();
    const digests = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const a = t.apply(img, Rng.derive(11, 0, i));
      const b = t.apply(img, Rng.derive(11, 0, i));
      expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
      expect([a.height, a.width, a.channels]).toEqual([img.height, img.width, img.channels]);
      digests.add(Buffer.from(a.data).toString('base64'));
    }
    expect(img.data).toEqual(before);
    expect(digests.size).toBeGreaterThan(5);
  });

  test('AutoAugment applies exactly the chosen sub-policy (checked against applyOp with the same draws)', () => {
    const aa = new AutoAugment({ policy: 'cifar10' });
    for (let i = 0; i < 30; i++) {
      const rng = Rng.derive(5, 1, i);
      const probe = rng.clone();
      const id = probe.randint(0, 25);
      const probs = [probe.uniform(), probe.uniform()];
      const signs = [probe.randint(0, 2), probe.randint(0, 2)];
      const space = augmentationSpace('autoaugment', 10, [img.height, img.width]);
      let expected = img;
      aa.policies[id].forEach(([op, p, bin], k) => {
        if (probs[k] <= p) {
          const s = space[op]!;
          let m = bin !== null && s.magnitudes ? s.magnitudes[bin] : 0;
          if (s.signed && signs[k] === 0) m = -m;
          expected = applyOp(expected, op, m);
        }
      });
      expect(aa.apply(img, rng).data).toEqual(expected.data);
    }
  });
});
