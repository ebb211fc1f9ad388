import { tf } from '@residual/tensor';
import { createOptimizer } from './optim/create';
import { sgd } from './optim/sgd';
import { createScheduler, SCHEDULER_NAMES, type SchedulerSpec } from './schedulers/create';
import { cosineAnnealingLR, multiStepLR, reduceLROnPlateau, withWarmup } from './schedulers';

const SPECS: SchedulerSpec[] = [
  { name: 'MultiStepLR', milestones: [2, 4], gamma: 0.5 },
  { name: 'StepLR', stepSize: 3 },
  { name: 'ExponentialLR', gamma: 0.9 },
  { name: 'CosineAnnealingLR', tMax: 5, etaMin: 0.001 },
  { name: 'LinearLR', startFactor: 0.25, totalIters: 4 },
  { name: 'ConstantLR', factor: 0.5, totalIters: 2 },
  { name: 'ReduceLROnPlateau', patience: 0, factor: 0.5 },
];

function lrs(spec: SchedulerSpec, warmup?: { steps: number }): number[] {
  const w = tf.variable(tf.zeros([2]), true, `create-${spec.name}-${warmup ? 'w' : ''}`);
  const opt = sgd({ params: [['w', w]], lr: 0.1 });
  const s = createScheduler(opt, spec, warmup);
  const out: number[] = [];
  for (let i = 0; i < 7; i++) {
    s.step(spec.name === 'ReduceLROnPlateau' ? 1 : undefined);
    out.push(s.getLastLr()[0]!);
  }
  w.dispose();
  return out;
}

describe('createScheduler', () => {
  it('knows every spec name, and each builds the scheduler its factory builds', () => {
    expect([...SCHEDULER_NAMES].sort()).toEqual(SPECS.map((s) => s.name).sort());
    const w = tf.variable(tf.zeros([2]), true, 'create-ref');
    const direct = (build: (o: ReturnType<typeof sgd>) => { step(m?: number): void; getLastLr(): number[] }, metric?: number) => {
      const o = sgd({ params: [['w', w]], lr: 0.1 });
      const s = build(o);
      return Array.from({ length: 7 }, () => (s.step(metric), s.getLastLr()[0]!));
    };
    expect(lrs(SPECS[0]!)).toEqual(direct((o) => multiStepLR(o, { milestones: [2, 4], gamma: 0.5 })));
    expect(lrs(SPECS[3]!)).toEqual(direct((o) => cosineAnnealingLR(o, { tMax: 5, etaMin: 0.001 })));
    expect(lrs(SPECS[6]!)).toEqual(direct((o) => reduceLROnPlateau(o, { patience: 0, factor: 0.5 }), 1));
    expect(lrs({ name: 'MultiStepLR', milestones: [2, 4] }, { steps: 2 })).toEqual(
      direct((o) => withWarmup(o, (oo) => multiStepLR(oo, { milestones: [2, 4] }), { steps: 2 })),
    );
    w.dispose();
    // Every spec changes the learning rate at some point: none is silently a constant.
    for (const spec of SPECS) expect([spec.name, new Set(lrs(spec)).size > 1]).toEqual([spec.name, true]);
  });

  it('refuses a warmup before ReduceLROnPlateau and unknown names', () => {
    const w = tf.variable(tf.zeros([1]), true, 'create-bad');
    const opt = sgd({ params: [['w', w]], lr: 0.1 });
    expect(() => createScheduler(opt, { name: 'ReduceLROnPlateau' }, { steps: 3 })).toThrow(/warmup cannot precede ReduceLROnPlateau/);
    expect(() => createScheduler(opt, { name: 'OneCycleLR' } as never)).toThrow(/unknown scheduler 'OneCycleLR' \(known: MultiStepLR/);
    w.dispose();
  });
});

describe('createOptimizer', () => {
  it('builds SGD with torch defaults, the no-decay groups, and Adam/AdamW', () => {
    const w = tf.variable(tf.ones([2, 2]), true, 'create-opt-w');
    const b = tf.variable(tf.ones([2]), true, 'create-opt-b');
    const model = { namedParameters: (): Array<[string, tf.Variable]> => [['w', w], ['b', b]] };
    const s = createOptimizer(model, { name: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 1e-4, noDecayOnNormAndBias: true });
    expect(s.paramGroups.map((g) => [g.lr, (g as unknown as { weightDecay: number }).weightDecay, (g as unknown as { momentum: number }).momentum])).toEqual([
      [0.1, 1e-4, 0.9],
      [0.1, 0, 0.9],
    ]);
    const a = createOptimizer(model, { name: 'adamw', lr: 0.01 });
    expect(a.paramGroups[0]!.lr).toBe(0.01);
    expect(() => createOptimizer(model, { name: 'lamb' } as never)).toThrow(/unknown optimizer 'lamb' \(known: sgd, adam, adamw\)/);
    s.dispose?.();
    a.dispose?.();
    w.dispose();
    b.dispose();
  });
});
