import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  MultiStepLR,
  ReduceLROnPlateau,
  SequentialLR,
  StepLR,
  type LRScheduler,
  type LrGroups,
  type Scheduler,
} from './index';

// Fixture written by tools/train/gen_schedules.py with PyTorch 1.13's lr_scheduler.
interface Spec {
  kind: string;
  [k: string]: unknown;
}
interface Config {
  name: string;
  lrs: number[];
  spec: Spec;
  sequence: number[][];
  metrics?: number[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/schedules.json'), 'utf8')) as { configs: Config[] };

function groups(lrs: number[]): LrGroups {
  return { paramGroups: lrs.map((lr) => ({ lr, initialLr: lr })) };
}

function build(opt: LrGroups, s: Spec): Scheduler {
  const o = s as never;
  switch (s.kind) {
    case 'multiStepLR':
      return new MultiStepLR(opt, o);
    case 'stepLR':
      return new StepLR(opt, o);
    case 'exponentialLR':
      return new ExponentialLR(opt, o);
    case 'cosineAnnealingLR':
      return new CosineAnnealingLR(opt, o);
    case 'linearLR':
      return new LinearLR(opt, o);
    case 'constantLR':
      return new ConstantLR(opt, o);
    case 'reduceLROnPlateau':
      return new ReduceLROnPlateau(opt, o);
    case 'sequentialLR':
      return new SequentialLR(opt, {
        milestones: s.milestones as number[],
        schedulers: (s.schedulers as Spec[]).map((x) => build(opt, x) as LRScheduler),
      });
    case 'chainedScheduler':
      return new ChainedScheduler((s.schedulers as Spec[]).map((x) => build(opt, x) as LRScheduler));
    default:
      throw new Error(`unknown kind ${s.kind}`);
  }
}

function expectClose(actual: number[], expected: number[], where: string): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    const err = Math.abs(a - e) / Math.max(Math.abs(e), 1e-300);
    if (!(err <= 1e-12)) throw new Error(`${where} group ${i}: got ${a}, PyTorch ${e} (rel err ${err})`);
  });
}

describe('schedulers match PyTorch 1.13 over 200 steps', () => {
  it('covers every config of the fixture', () => {
    expect(fixture.configs.length).toBeGreaterThanOrEqual(15);
  });

  for (const cfg of fixture.configs) {
    it(cfg.name, () => {
      const opt = groups(cfg.lrs);
      const sched = build(opt, cfg.spec);
      cfg.sequence.forEach((expected, i) => {
        expectClose(opt.paramGroups.map((g) => g.lr), expected, `${cfg.name} step ${i}`);
        sched.step(cfg.metrics?.[i]);
      });
      // The sequence must actually change, or the test would pass for a constant schedule.
      const distinct = new Set(cfg.sequence.map((s) => s[0]));
      expect(distinct.size).toBeGreaterThan(1);
    });

    it(`${cfg.name}: state()/loadState() resumes the same sequence`, () => {
      const opt = groups(cfg.lrs);
      const sched = build(opt, cfg.spec);
      const half = 97;
      for (let i = 0; i < half; i++) sched.step(cfg.metrics?.[i]);
      const saved = JSON.parse(JSON.stringify({ s: sched.state(), lrs: opt.paramGroups.map((g) => g.lr) }));
      const opt2 = groups(cfg.lrs);
      const resumed = build(opt2, cfg.spec);
      resumed.loadState(saved.s);
      opt2.paramGroups.forEach((g, i) => (g.lr = saved.lrs[i]));
      for (let i = half; i < cfg.sequence.length; i++) {
        expectClose(opt2.paramGroups.map((g) => g.lr), cfg.sequence[i], `${cfg.name} resumed step ${i}`);
        resumed.step(cfg.metrics?.[i]);
      }
    });
  }

  it('reduceLROnPlateau refuses a step without its metric', () => {
    expect(() => new ReduceLROnPlateau(groups([0.1])).step()).toThrow(/monitored metric/);
  });
});
