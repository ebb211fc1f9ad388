#!/usr/bin/env node
// `npm run bench`: every backend in its own child process (fresh engine, no shared threads), then
// PyTorch CPU when Debian's python3 has torch; JSON to stdout and bench-results/<timestamp>.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, USAGE } from './args';
import { runBackend, type BackendRun } from './backend-run';
import { benchSummary, compareCpuTime, compareWithTorch, formatMarkdown, formatSummary, trainProfile } from './report';
import { findRepoRoot, runTorchBench, torchAvailable, type TorchReport } from './torch';

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

async function child(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  const run = await runBackend({
    backend: a.backends[0],
    threads: a.threads[0],
    cases: a.cases,
    warmup: a.warmup,
    reps: a.reps,
    budgetMs: a.budgetS * 1000,
    profile: a.profile,
  });
  process.stdout.write(JSON.stringify(run) + '\n');
  // Pool threads of the threaded wasm build are unref'd, but exit at once rather than wait for GC.
  process.exit(0);
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--child')) return child(argv.filter((x) => x !== '--child'));
  const a = parseArgs(argv);
  if (a.help) {
    process.stdout.write(USAGE);
    return;
  }
  const started = new Date();
  const loadBefore = loadavg();
  const { availableBackends } = await import('@residual/tensor');
  await import('@residual/backend-wasm');
  await import('@residual/backend-webgpu');
  const available = await availableBackends();
  const backends = a.backends.filter((b) => available.includes(b));
  for (const b of a.backends) if (!available.includes(b)) log(`backend ${b} is not available here; skipped`);
  if (backends.includes('webgpu') && !a.backendsExplicit) {
    const { useBackend, backendInfo } = await import('@residual/tensor');
    await useBackend('webgpu');
    const adapter = backendInfo().adapter;
    if (adapter?.isFallback) {
      backends.splice(backends.indexOf('webgpu'), 1);
      log(`webgpu runs on a software adapter here (${adapter.architecture || adapter.description}); skipped (name it in --backends to bench it)`);
    } else log(`webgpu adapter: ${JSON.stringify(adapter)}`);
  }
  const runs: BackendRun[] = [];
  const errors: Array<{ config: string; error: string }> = [];
  // PyTorch runs right after the wasm configuration it is compared with (its thread count, and 1 thread
  // for the CPU-time ratio), before the slow reference backends: on a shared machine whose speed drifts
  // over minutes, each ratio then comes from two measurements a minute apart, not ten.
  const torchThreads = [a.torchThreads, ...(a.torchSingle && a.torchThreads !== 1 ? [1] : [])];
  const torchRuns = new Map<number, TorchReport>();
  let torchNote: string | undefined = a.torch ? undefined : 'disabled (--no-torch)';
  let torchReady = a.torch;
  let avail: ReturnType<typeof torchAvailable> | undefined;
  let torchCapped: TorchReport | null = null;
  const runTorch = (threads: number) => {
    if (!torchReady || torchRuns.has(threads)) return;
    // Asked once (it starts Python): both thread counts use the same interpreter.
    avail ??= torchAvailable(a.python);
    if (!avail.ok) {
      torchNote = avail.reason;
      torchReady = false;
      return;
    }
    log(`running PyTorch ${avail.version} (${a.python}, ${threads} thread${threads === 1 ? '' : 's'})`);
    try {
      torchRuns.set(threads, runTorchBench({ python: a.python, threads, warmup: a.warmup, reps: a.reps, cases: a.cases }));
    } catch (e) {
      torchNote = (e as Error).message;
      torchReady = false;
      return;
    }
    // Right after the uncapped run, so that both ratios come from the same minutes.
    if (a.torchMaxIsa && threads === a.torchThreads) {
      log(`running PyTorch ${avail.version} with oneDNN capped at ${a.torchMaxIsa} (${threads} thread${threads === 1 ? '' : 's'})`);
      try {
        torchCapped = runTorchBench({ python: a.python, threads, warmup: a.warmup, reps: a.reps, cases: a.cases, maxCpuIsa: a.torchMaxIsa });
      } catch (e) {
        torchNote = `capped at ${a.torchMaxIsa}: ${(e as Error).message}`;
      }
    }
  };
  for (const backend of backends) {
    for (const threads of backend === 'wasm' ? a.threads : [1]) {
      const config = backend === 'wasm' ? `wasm×${threads}` : backend;
      // Profile only the most parallel wasm configuration and the cpu reference's cheapest cases.
      const profile = backend === 'wasm' && threads === Math.max(...a.threads) ? a.profile : [];
      log(`running ${config}`);
      const args = [
        __filename, '--child', '--backends', backend, '--threads', String(threads), '--cases', a.cases.join(','),
        '--warmup', String(a.warmup), '--reps', String(a.reps), '--budget-s', String(a.budgetS), '--profile', profile.join(','),
      ];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
      const last = (r.stdout || '').trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !last.startsWith('{')) {
        errors.push({ config, error: `exit ${r.status}: ${last.slice(0, 300)}` });
        log(`${config} failed (exit ${r.status})`);
      } else runs.push(JSON.parse(last) as BackendRun);
      if (backend === 'wasm' && torchThreads.includes(threads)) runTorch(threads);
    }
  }
  // Without a wasm run of the same thread count, PyTorch runs last.
  for (const threads of torchThreads) runTorch(threads);
  const torch = torchRuns.get(a.torchThreads) ?? null;
  const torchSingle = a.torchThreads === 1 ? null : (torchRuns.get(1) ?? null);
  const comparisons = torch ? compareWithTorch(runs, torch, 'wasm', [torchSingle]) : [];
  const cpuComparisons = torchSingle ? compareCpuTime(runs, torchSingle) : [];
  const capped: TorchReport | null = torchCapped;
  const cappedComparisons = capped ? compareWithTorch(runs, capped, 'wasm') : [];
  const report = {
    schema: 'residual-bench/1',
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg(),
      node: process.version,
    },
    settings: { warmup: a.warmup, reps: a.reps, budgetS: a.budgetS, cases: a.cases, wasmThreads: a.threads },
    runs,
    torch,
    torchSingle,
    torchCapped: capped,
    torchNote,
    comparisons,
    cpuComparisons,
    cappedComparisons,
    summary: benchSummary(comparisons, cpuComparisons, trainProfile(runs), capped ? { isa: a.torchMaxIsa!, comparisons: cappedComparisons } : undefined),
    errors,
  };
  const json = JSON.stringify(report, null, 2);
  process.stdout.write(json + '\n');
  // The last line: the headline ratios alone, for scripts and CI logs.
  process.stdout.write(JSON.stringify({ summary: report.summary }) + '\n');
  process.stderr.write('\n' + formatSummary(runs, torch, comparisons, capped ? { torch: capped, comparisons: cappedComparisons } : null));
  const root = findRepoRoot(process.cwd()) ?? process.cwd();
  const dir = a.out ?? join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, json + '\n');
  writeFileSync(file.replace(/\.json$/, '.md'), formatMarkdown(report));
  log(`wrote ${file} (and .md)`);
}

async function render(file: string): Promise<void> {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(formatMarkdown(JSON.parse(readFileSync(file, 'utf8'))));
}

const argv = process.argv.slice(2);
(argv[0] === '--markdown' ? render(argv[1] ?? '') : main(argv)).catch((e) => {
  process.stderr.write(`[bench] ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
