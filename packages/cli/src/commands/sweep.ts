import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from './command';
import { parse, intOption, required } from '../util/args';
import { CliError } from '../util/errors';
import { loadRecipe } from '../recipes/load';
import { selectVariants, variantOf } from './train';
import { loadSweep, OVERRIDE_FLAGS, queueConnection, QUEUE_HELP, QUEUE_OPTIONS } from './queue-options';
import type { Io } from '../util/io';
import type { RunOverrides, RunStatus } from '@residual/sweep';

const HELP = `Usage: residual sweep submit --recipe R [--seeds N] [options]
       residual sweep status [--sweep ID] [--json]
       residual sweep report --store DIR [--sweep ID] [--out DIR] [--json]

A study of many runs (a recipe's variants × seeds) spread over machines: 'submit' puts one job per run
in a Redis queue (BullMQ), 'residual worker' processes on any machine train them into a shared run
store, 'status' shows each run's state, progress and worker, and 'report' gathers the finished runs
into one table (test error, best (mean ± std) over seeds, as the paper's Table 6) and one plot of every
variant's training and test error curves (Figure 6). See docs/scale-out.md.

submit:
  --recipe NAME|FILE   the recipe (validated as 'residual train' validates it)
  --variant ID         only this variant (repeatable; default: all)
  --seeds N            runs per variant, seeds S, S+1, … S+N-1 from the recipe's seed S (default 1)
  --iterations N, --epochs N, --batch-size N, --limit-train N, --limit-test N, --log-every N
                       as 'residual train', for every run (they are part of the sweep's identity)
  --checkpoint-every N checkpoint every N iterations (what a run handed to another worker resumes
                       from; default: each epoch's end)
  --attempts N         tries per run for transient errors (default 5)
  --retry-failed       put this sweep's failed runs back in the queue
  --store DIR          also record the sweep in the run store (sweep.json, for 'report')
  The job ids come from the recipe's hash, the variant and the seed: submitting again adds nothing.

status:
  --sweep ID           only this sweep (default: every run in the queue)
  --json               one JSON array

report:
  --store DIR          the shared run store
  --sweep ID           the sweep (default: the store's only one)
  --out DIR            where report.md, report.json and curves.svg/.png go (default <store>/<sweep>)
  --json               print report.json instead of the table

Queue options (submit, status):
${QUEUE_HELP}
  -h, --help           show this help

Example:
  residual sweep submit --recipe cifar10-resnet-vs-plain --seeds 5 --queue redis://10.0.0.5:6379 --store /mnt/shared/sweeps
  residual worker --queue redis://10.0.0.5:6379 --store /mnt/shared/sweeps      # on each machine
  residual sweep status --queue redis://10.0.0.5:6379
  residual sweep report --store /mnt/shared/sweeps
`;

async function submit(argv: string[], io: Io): Promise<number> {
  const { values } = parse('sweep submit', argv, {
    ...QUEUE_OPTIONS,
    recipe: { type: 'string' },
    variant: { type: 'string', multiple: true },
    seeds: { type: 'string' },
    attempts: { type: 'string' },
    'retry-failed': { type: 'boolean' },
    store: { type: 'string' },
    ...Object.fromEntries(Object.values(OVERRIDE_FLAGS).map((f) => [f, { type: 'string' as const }])),
  });
  const connection = queueConnection('sweep submit', values);
  const { recipe, file } = loadRecipe(required('sweep submit', values, 'recipe'));
  const runs = selectVariants(recipe, values.variant as string[] | undefined);
  const seeds = intOption(values, 'seeds') ?? 1;
  const overrides: RunOverrides = {};
  for (const [k, flag] of Object.entries(OVERRIDE_FLAGS)) {
    const n = intOption(values, flag);
    if (n !== undefined) overrides[k as keyof RunOverrides] = n;
  }
  // A job carries recipe data only: no machine's paths (each worker has its own --data-dir).
  const data = structuredClone(recipe) as unknown as Record<string, unknown> & { data: Record<string, unknown> };
  delete data.$schema;
  if (data.data.root !== undefined) {
    io.err(`residual sweep: note: ${file}: data.root is this machine's path; the workers use their own --data-dir\n`);
    delete data.data.root;
  }
  const sweep = await loadSweep();
  const hash = sweep.sweepHash({ recipe: data, overrides });
  const id = sweep.sweepId(recipe.name, hash);
  const base = recipe.seed ?? 0;
  const jobs = runs.flatMap((r) => Array.from({ length: seeds }, (_, i) => ({ variant: variantOf(r), seed: base + i })));
  const attempts = intOption(values, 'attempts');
  const result = await sweep.submitRuns({ ...connection, sweep: id, recipe: data, runs: jobs, overrides, ...(attempts ? { attempts } : {}), retryFailed: !!values['retry-failed'] });
  if (typeof values.store === 'string') {
    const store = new sweep.RunStore(values.store).ensure();
    const old = store.readManifest(id);
    const all = new Map((old?.runs ?? []).map((r) => [r.id, r]));
    for (const j of jobs) {
      const jid = sweep.runJobId(id, j.variant, j.seed);
      all.set(jid, { id: jid, ...j });
    }
    store.writeManifest({ sweep: id, recipe: recipe.name, hash, queue: sweep.redactUrl(connection.url), submitted: old?.submitted ?? new Date().toISOString(), overrides: overrides as Record<string, number>, runs: [...all.values()] });
  }
  io.out(
    `sweep ${id}: ${jobs.length} run${jobs.length === 1 ? '' : 's'} (${runs.length} variant${runs.length === 1 ? '' : 's'} × ${seeds} seed${seeds === 1 ? '' : 's'}): ` +
      `${result.added.length} added, ${result.existing.length} already in the queue${result.retried.length ? `, ${result.retried.length} failed ones retried` : ''}\n`,
  );
  return 0;
}

function duration(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '-';
  return s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.round(s / 60)} min` : `${Math.round(s)} s`;
}

function statusTable(rows: RunStatus[]): string {
  const head = ['run', 'state', 'iteration', 'loss', 'eta', 'worker', 'tries', 'note'];
  const cells = rows.map((r) => {
    const p = r.progress;
    const running = r.state === 'active';
    const note = r.error ? r.error.split('\n')[0]!.slice(0, 100) : r.result && typeof r.result.top1Error === 'number' ? `test top-1 error ${(100 * r.result.top1Error).toFixed(2)}%` : '';
    return [
      `${r.sweep}/${r.variant ?? 'main'}/seed-${r.seed}`,
      r.state,
      p ? `${p.iteration}${p.iterations ? `/${p.iterations}` : ''}` : '-',
      p && Number.isFinite(p.loss) ? p.loss.toFixed(4) : p ? String(p.loss) : '-',
      running ? duration(p?.etaSeconds) : '-',
      p?.worker ?? '-',
      String(r.attemptsMade),
      note,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  const counts = Object.entries(rows.reduce<Record<string, number>>((a, r) => ((a[r.state] = (a[r.state] ?? 0) + 1), a), {}))
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  return [line(head), ...cells.map(line), '', `${rows.length} runs: ${counts || 'none'}`, ''].join('\n');
}

async function status(argv: string[], io: Io): Promise<number> {
  const { values } = parse('sweep status', argv, { ...QUEUE_OPTIONS, sweep: { type: 'string' }, json: { type: 'boolean' } });
  const sweep = await loadSweep();
  const rows = await sweep.sweepStatus({ ...queueConnection('sweep status', values), ...(typeof values.sweep === 'string' ? { sweep: values.sweep } : {}) });
  io.out(values.json ? JSON.stringify(rows, null, 2) + '\n' : statusTable(rows));
  return 0;
}

async function report(argv: string[], io: Io): Promise<number> {
  const { values } = parse('sweep report', argv, { store: { type: 'string' }, sweep: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } });
  const sweep = await loadSweep();
  const store = new sweep.RunStore(required('sweep report', values, 'store'));
  let id = values.sweep as string | undefined;
  if (!id) {
    const all = store.sweeps();
    if (all.length !== 1) throw new CliError(`${store.root} holds ${all.length ? `${all.length} sweeps (${all.join(', ')})` : 'no sweep (no <sweep>/sweep.json)'}; name one with --sweep`, 2);
    id = all[0]!;
  }
  const rep = sweep.sweepReport(store, id);
  if (!rep.runs.length) throw new CliError(`sweep ${id}: no runs in ${store.sweepDir(id)}`);
  const out = resolve((values.out as string | undefined) ?? store.sweepDir(id));
  mkdirSync(out, { recursive: true });
  const train = await import('@residual/train');
  const md = sweep.reportMarkdown(rep) + '\n![curves](curves.svg)\n';
  const json = JSON.stringify({ sweep: rep.sweep, variants: rep.variants, runs: rep.runs.map(({ trainCurve: _t, valCurve: _v, ...r }) => r) }, null, 2) + '\n';
  train.writeFileAtomic(join(out, 'report.md'), md);
  train.writeFileAtomic(join(out, 'report.json'), json);
  await train.plotPanels(
    [{ title: 'Top-1 error (dashed: training, solid: test)', xLabel: 'iteration', yLabel: 'error (%)', series: sweep.sweepCurves(rep) }],
    { out: join(out, 'curves'), title: `sweep ${id}`, panelWidth: 720, panelHeight: 420 },
  );
  io.out(values.json ? json : `${md}\nwrote ${out}/{report.md,report.json,curves.svg,curves.png}\n`);
  return 0;
}

export const sweepCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'submit') return submit(rest, io);
    if (sub === 'status') return status(rest, io);
    if (sub === 'report') return report(rest, io);
    throw new CliError(`sweep: expected submit, status or report${sub ? `, got '${sub}'` : ''} (see 'residual sweep --help')`, 2);
  },
};
