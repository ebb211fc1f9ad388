import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportMarkdown, sweepCurves, sweepReport } from './report';
import { RunStore } from './store';

const SWEEP = 'study-000000000004';
let root: string;
let store: RunStore;

function run(variant: string, seed: number, top1Error: number | null | undefined, history: string) {
  const dir = join(store.sweepDir(SWEEP), variant, `seed-${seed}`);
  mkdirSync(dir, { recursive: true });
  if (top1Error !== undefined) writeFileSync(join(dir, 'report.json'), JSON.stringify({ iterations: 20, seconds: 3, test: { top1Error, top5Error: 0.01 } }));
  writeFileSync(join(dir, 'history.jsonl'), history);
}
const rows = (...r: Array<[number, number, number]>) => r.map(([iteration, t, v]) => JSON.stringify({ iteration, train_acc1: 1 - t, val_acc1: 1 - v })).join('\n') + '\n';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'residual-sweep-report-'));
  store = new RunStore(root).ensure();
  store.writeManifest({
    sweep: SWEEP, recipe: 'study', hash: '000000000004', queue: 'redis://h:1', submitted: '2026-12-01T00:00:00Z', overrides: {},
    runs: [0, 1, 2].map((seed) => ({ id: `${SWEEP}.a.seed-${seed}`, variant: 'a', seed })).concat([0, 1, 2, 3].map((seed) => ({ id: `${SWEEP}.b.seed-${seed}`, variant: 'b', seed }))),
  });
  run('a', 0, 0.1, rows([10, 0.5, 0.6], [20, 0.3, 0.4]));
  run('a', 1, 0.2, rows([10, 0.7, 0.8], [20, 0.1, 0.2]));
  run('a', 2, 0.3, rows([10, 0.6, 0.7], [20, 0.2, 0.3]) + '{"iteration": 30, "train_ac'); // a torn last line
  run('b', 0, null, rows([10, 0.9, 0.9])); // NaN test error (JSON writes NaN as null)
  run('b', 1, 0.4, rows([10, 0.5, 0.5]));
  run('b', 2, undefined, rows([10, 0.5, 0.5])); // still training: history, no report
  // b seed 3: in sweep.json, never started. And things that are not runs:
  writeFileSync(join(store.sweepDir(SWEEP), 'notes.txt'), 'not a run');
  mkdirSync(join(store.sweepDir(SWEEP), 'a', 'seed-x'), { recursive: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('sweepReport', () => {
  it('lists every run once with its state, and summarises each variant over its finished seeds', () => {
    const rep = sweepReport(store, SWEEP);
    expect(rep.runs.map((r) => `${r.variant}/${r.seed}:${r.state}`)).toEqual(['a/0:done', 'a/1:done', 'a/2:done', 'b/0:done', 'b/1:done', 'b/2:partial', 'b/3:missing']);
    const [a, b] = rep.variants;
    expect(a).toMatchObject({ variant: 'a', runs: 3, done: 3, nonFinite: 0 });
    expect(a!.best).toBeCloseTo(0.1, 12);
    expect(a!.mean).toBeCloseTo(0.2, 12);
    expect(a!.std).toBeCloseTo(0.1, 12); // sample std of 0.1, 0.2, 0.3
    // The NaN run is never averaged in, and is counted where the reader sees it.
    expect(b).toMatchObject({ variant: 'b', runs: 4, done: 2, nonFinite: 1, errors: [0.4], best: 0.4, mean: 0.4 });
    expect(b!.std).toBeUndefined();
    const md = reportMarkdown(rep);
    expect(md).toContain('| a | 3/3 | 10.00 (20.00 ± 10.00) |');
    expect(md).toContain('| b | 2/4 | 40.00 (40.00); 1 run(s) with a non-finite error left out |');
    expect(md).toContain('| b | 0 | done | 20 | NaN |');
  });

  it('draws each variant\'s mean curves over its finished seeds, skipping a torn line', () => {
    const curves = sweepCurves(sweepReport(store, SWEEP));
    const aTrain = curves.find((c) => c.label === 'a train')!;
    expect(aTrain.dashed).toBe(true);
    expect(aTrain.points.map(([it]) => it)).toEqual([10, 20]);
    expect(aTrain.points[0]![1]).toBeCloseTo(60, 9);
    expect(aTrain.points[1]![1]).toBeCloseTo(20, 9);
    const aTest = curves.find((c) => c.label === 'a test')!;
    expect(aTest.points[1]![1]).toBeCloseTo(30, 9);
    expect(curves.find((c) => c.label === 'b test')!.points[0]![1]).toBeCloseTo(70, 9); // seeds 0 and 1 (seed 2 unfinished)
  });

  it('names a broken sweep.json', () => {
    const bad = 'broken-000000000005';
    mkdirSync(store.sweepDir(bad), { recursive: true });
    writeFileSync(join(store.sweepDir(bad), 'sweep.json'), '{"sweep": ');
    expect(() => sweepReport(store, bad)).toThrow(new RegExp(`${bad}/sweep\\.json is not valid JSON`));
    expect(store.sweeps()).toEqual([bad, SWEEP].sort());
  });
});
