import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunStore, SweepManifest } from './store';

/** One run of a sweep as its folder in the store shows it. */
export interface RunRecord {
  variant: string;
  seed: number;
  dir: string;
  /** `done` (report.json written), `partial` (checkpoints, no report yet) or `missing` (in sweep.json, no folder). */
  state: 'done' | 'partial' | 'missing';
  iterations?: number;
  testTop1Error?: number;
  testTop5Error?: number;
  seconds?: number;
  /** Error curves from history.jsonl: [iteration, train top-1 error], [iteration, val/test top-1 error]. */
  trainCurve: Array<[number, number]>;
  valCurve: Array<[number, number]>;
}

/** One variant over its seeds: the paper's "best (mean ± std)" of the test error. */
export interface VariantSummary {
  variant: string;
  runs: number;
  done: number;
  /** Test top-1 errors of the finished runs with a finite one. */
  errors: number[];
  /** Finished runs whose test error is NaN or infinite: never averaged in, always shown. */
  nonFinite: number;
  best?: number;
  mean?: number;
  /** Sample standard deviation (n − 1), undefined for fewer than two runs. */
  std?: number;
}

/** What {@link sweepReport} gathers. */
export interface SweepReport {
  sweep: string;
  manifest: SweepManifest | null;
  runs: RunRecord[];
  variants: VariantSummary[];
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function readCurves(dir: string): { train: Array<[number, number]>; val: Array<[number, number]> } {
  const train: Array<[number, number]> = [];
  const val: Array<[number, number]> = [];
  const file = join(dir, 'history.jsonl');
  if (!existsSync(file)) return { train, val };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a torn last line of a killed run
    }
    const it = r.iteration;
    if (typeof it !== 'number') continue;
    if (typeof r.train_acc1 === 'number') train.push([it, 1 - r.train_acc1]);
    if (typeof r.val_acc1 === 'number') val.push([it, 1 - r.val_acc1]);
  }
  return { train, val };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : v === null ? NaN : undefined);

/**
 * Gather a sweep's runs from the store: each run once (one folder per variant and seed), its test
 * error and curves, and per variant the best, mean and standard deviation over seeds.
 *
 * @example
 * ```ts
 * import { RunStore, sweepReport, reportMarkdown } from '@residual/sweep';
 * const report = sweepReport(new RunStore('/mnt/shared/sweeps'), 'cifar10-resnet-vs-plain-0123456789ab');
 * console.log(reportMarkdown(report));
 * ```
 */
export function sweepReport(store: RunStore, sweep: string): SweepReport {
  const manifest = store.readManifest(sweep);
  const root = store.sweepDir(sweep);
  const seen = new Map<string, RunRecord>();
  const add = (variant: string, seed: number) => {
    const key = `${variant}/${seed}`;
    if (seen.has(key)) return;
    const dir = join(root, variant, `seed-${seed}`);
    const rec: RunRecord = { variant, seed, dir, state: 'missing', trainCurve: [], valCurve: [] };
    if (existsSync(dir)) {
      const rep = readJson(join(dir, 'report.json'));
      const test = (rep?.test ?? {}) as Record<string, unknown>;
      rec.state = rep ? 'done' : 'partial';
      if (rep) {
        rec.iterations = num(rep.iterations);
        rec.testTop1Error = num(test.top1Error);
        rec.testTop5Error = num(test.top5Error);
        rec.seconds = num(rep.seconds);
      }
      const c = readCurves(dir);
      rec.trainCurve = c.train;
      rec.valCurve = c.val;
    }
    seen.set(key, rec);
  };
  for (const r of manifest?.runs ?? []) add(r.variant ?? 'main', r.seed);
  // Runs in the folder that sweep.json does not list (submitted from a machine without the store) count too.
  if (existsSync(root)) {
    for (const v of readdirSync(root, { withFileTypes: true })) {
      if (!v.isDirectory()) continue;
      for (const s of readdirSync(join(root, v.name))) {
        const m = /^seed-(\d+)$/.exec(s);
        if (m) add(v.name, Number(m[1]));
      }
    }
  }
  const runs = [...seen.values()].sort((a, b) => (a.variant === b.variant ? a.seed - b.seed : a.variant < b.variant ? -1 : 1));
  // Variants in the recipe's order where sweep.json has it.
  const order = [...new Set([...(manifest?.runs ?? []).map((r) => r.variant ?? 'main'), ...runs.map((r) => r.variant)])];
  const variants = order.map((variant): VariantSummary => {
    const mine = runs.filter((r) => r.variant === variant);
    const done = mine.filter((r) => r.state === 'done');
    const errors = done.map((r) => r.testTop1Error).filter((e): e is number => typeof e === 'number' && Number.isFinite(e));
    const s: VariantSummary = { variant, runs: mine.length, done: done.length, errors, nonFinite: done.length - errors.length };
    if (errors.length) {
      s.best = Math.min(...errors);
      s.mean = errors.reduce((a, b) => a + b, 0) / errors.length;
      if (errors.length > 1) s.std = Math.sqrt(errors.reduce((a, e) => a + (e - s.mean!) ** 2, 0) / (errors.length - 1));
    }
    return s;
  });
  return { sweep, manifest, runs, variants };
}

const pct = (v: number | undefined) => (v === undefined ? '-' : Number.isFinite(v) ? `${(100 * v).toFixed(2)}` : String(v));

/**
 * The report as Markdown: the paper's Table 6 layout (test error %, best (mean ± std)), then every run.
 *
 * @example
 * ```ts
 * import { RunStore, reportMarkdown, sweepReport } from '@residual/sweep';
 * writeFileSync('report.md', reportMarkdown(sweepReport(new RunStore('/mnt/sweeps'), sweep)));
 * ```
 */
export function reportMarkdown(report: SweepReport): string {
  const lines = [
    `# Sweep ${report.sweep}`,
    '',
    report.manifest ? `Recipe \`${report.manifest.recipe}\`, submitted ${report.manifest.submitted}, overrides ${JSON.stringify(report.manifest.overrides)}.` : '',
    '',
    '| variant | runs done | test top-1 error (%): best (mean ± std) |',
    '| --- | ---: | --- |',
    ...report.variants.map((v) => {
      const stat = v.mean === undefined ? '-' : `${pct(v.best)} (${pct(v.mean)}${v.std === undefined ? '' : ` ± ${pct(v.std)}`})`;
      return `| ${v.variant} | ${v.done}/${v.runs} | ${stat}${v.nonFinite ? `; ${v.nonFinite} run(s) with a non-finite error left out` : ''} |`;
    }),
    '',
    '| variant | seed | state | iterations | test top-1 error (%) | test top-5 error (%) | seconds |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: |',
    ...report.runs.map((r) => `| ${r.variant} | ${r.seed} | ${r.state} | ${r.iterations ?? '-'} | ${pct(r.testTop1Error)} | ${pct(r.testTop5Error)} | ${r.seconds?.toFixed(0) ?? '-'} |`),
    '',
  ];
  return lines.join('\n');
}

/** One line of {@link sweepCurves}: points are [iteration, top-1 error %]. */
export interface CurveSeries {
  label: string;
  color: string;
  dashed?: boolean;
  points: Array<[number, number]>;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Mean over runs at the iterations every run logged. */
function meanCurve(curves: Array<Array<[number, number]>>): Array<[number, number]> {
  const nonEmpty = curves.filter((c) => c.length);
  if (!nonEmpty.length) return [];
  const maps = nonEmpty.map((c) => new Map(c));
  return nonEmpty[0]!
    .map(([it]) => it)
    .filter((it) => maps.every((m) => m.has(it)))
    .map((it): [number, number] => [it, (100 * maps.reduce((a, m) => a + m.get(it)!, 0)) / maps.length]);
}

/**
 * The Figure 6 curves of a sweep: per variant (mean over its finished seeds), training error dashed
 * and test (validation) error solid, against iterations.
 *
 * @example
 * ```ts
 * import { plotPanels } from '@residual/train';
 * import { sweepCurves, sweepReport } from '@residual/sweep';
 * await plotPanels([{ title: 'Top-1 error', xLabel: 'iteration', yLabel: 'error (%)', series: sweepCurves(sweepReport(store, sweep)) }], { out: 'curves' });
 * ```
 */
export function sweepCurves(report: SweepReport): CurveSeries[] {
  return report.variants.flatMap((v, i) => {
    const done = report.runs.filter((r) => r.variant === v.variant && r.state === 'done');
    const color = COLORS[i % COLORS.length]!;
    return [
      { label: `${v.variant} train`, color, dashed: true, points: meanCurve(done.map((r) => r.trainCurve)) },
      { label: `${v.variant} test`, color, points: meanCurve(done.map((r) => r.valCurve)) },
    ];
  });
}
