import type { KernelProfile } from './profile';
import { CONV_FORWARD_KERNELS, CONV_KERNELS } from './flops';
import type { BackendRun } from './backend-run';
import type { TorchReport } from './torch';

/** One line of the side-by-side comparison. */
export interface Comparison {
  case: string;
  /** The fastest configuration of this backend for the case, e.g. `wasm×2` or `wasm×2+fold`. */
  residual: string;
  residualImagesPerS: number;
  torchImagesPerS: number;
  /** The PyTorch configuration compared with: the faster of the runs given, e.g. `torch×2`. */
  torch?: string;
  /** residual ÷ PyTorch throughput. */
  ratio: number;
}

/**
 * For each case PyTorch ran, the fastest residual configuration of `backend` and its throughput
 * relative to PyTorch's.
 * @example
 * ```ts
 * compareWithTorch(runs, torch, 'wasm'); // [{ case: 'resnet20-train', residual: 'wasm×2', ratio: 0.31, ... }]
 * ```
 */
export function compareWithTorch(
  runs: readonly BackendRun[],
  torch: TorchReport,
  backend: string,
  others: ReadonlyArray<TorchReport | null> = [],
): Comparison[] {
  const out: Comparison[] = [];
  for (const t0 of torch.results) {
    // Against the fastest PyTorch configuration measured (on a busy machine one thread can beat two).
    let t = t0;
    let label = torchLabel(torch);
    for (const o of others) {
      const alt = o?.results.find((x) => x.name === t0.name);
      if (o && alt && alt.images_per_s > t.images_per_s) {
        t = alt;
        label = torchLabel(o);
      }
    }
    let best: { label: string; ips: number } | null = null;
    for (const r of runs) {
      if (r.backend !== backend) continue;
      // The same work in any variant (`resnet20-infer+fold` is still resnet20-infer).
      for (const c of r.cases.filter((x) => x.name === t.name || x.name.startsWith(`${t.name}+`))) {
        const label = runLabel(r) + (c.name === t.name ? '' : c.name.slice(t.name.length));
        if (c.imagesPerS && (!best || c.imagesPerS > best.ips)) best = { label, ips: c.imagesPerS };
      }
    }
    if (best) {
      out.push({
        case: t.name,
        residual: best.label,
        residualImagesPerS: best.ips,
        torchImagesPerS: t.images_per_s,
        torch: label,
        ratio: best.ips / t.images_per_s,
      });
    }
  }
  return out;
}

/**
 * How a PyTorch run is named in comparisons: `torch×2`, or `torch×2 AVX2` when oneDNN was capped.
 * @example
 * ```ts
 * torchLabel({ threads: 2, max_cpu_isa: 'AVX2' }); // 'torch×2 AVX2'
 * ```
 */
export function torchLabel(t: Pick<TorchReport, 'threads' | 'max_cpu_isa'>): string {
  return `torch×${t.threads}${t.max_cpu_isa ? ` ${t.max_cpu_isa}` : ''}`;
}

/** Single-thread CPU time per repetition, residual wasm×1 against PyTorch×1. */
export interface CpuComparison {
  case: string;
  residual: string;
  residualCpuMs: number;
  torchCpuMs: number;
  /** PyTorch CPU ms ÷ residual CPU ms: the throughput ratio on an idle core. */
  ratio: number;
}

/** The one-line result of a bench run: residual ÷ PyTorch throughput of the headline cases. */
export interface BenchSummary {
  /** ResNet-20 training (32×32, batch 128), best residual configuration ÷ best PyTorch, same run. */
  train_ratio: number | null;
  /** ResNet-20 inference (batch 128), best residual configuration (folded or not) ÷ PyTorch. */
  infer_ratio: number | null;
  /** ResNet-50 inference (224², batch 16). */
  resnet50_infer_ratio: number | null;
  /** ResNet-20 training on one thread, by CPU time (PyTorch CPU ms ÷ residual CPU ms). */
  train_cpu_ratio: number | null;
  /**
   * From the kernel table of one profiled ResNet-20 training step (`--profile resnet20-train`, the widest
   * wasm configuration): Conv2DBackpropFilter's GFLOP/s ÷ the forward convolution's.
   */
  filter_grad_vs_forward: number | null;
  /** Same profile: share of the kernel time outside the four convolution kernels (0.15 = 15 %). */
  non_conv_share: number | null;
  /**
   * The same three throughput ratios against PyTorch with oneDNN capped at an instruction set (`AVX2` on an
   * AVX-512 machine: PyTorch as on the AVX2 machine the targets were set on), same run; null when not run.
   * The ratios above stay those against PyTorch's own best.
   */
  capped: { torch_max_isa: string; train_ratio: number | null; infer_ratio: number | null; resnet50_infer_ratio: number | null } | null;
  /** The configurations the ratios come from, e.g. `{ train: 'wasm×2 vs torch×2' }`. */
  configs: Record<string, string>;
}

/**
 * The headline ratios of a run, as one object (printed as the last line of `npm run bench`).
 * @example
 * ```ts
 * const s = benchSummary(comparisons, cpuComparisons);
 * console.log(JSON.stringify(s)); // {"train_ratio":0.26,"infer_ratio":0.46,...}
 * ```
 */
export function benchSummary(
  comparisons: readonly Comparison[],
  cpu: readonly CpuComparison[],
  trainProfile?: { config: string; profile: KernelProfile },
  capped?: { isa: string; comparisons: readonly Comparison[] },
): BenchSummary {
  const configs: Record<string, string> = {};
  const pickFrom = (from: readonly Comparison[], key: string, cases: string[]): number | null => {
    const best = from.filter((c) => cases.includes(c.case)).sort((a, b) => b.ratio - a.ratio)[0];
    if (!best) return null;
    configs[key] = `${best.residual} vs ${best.torch ?? 'torch'}`;
    return +best.ratio.toFixed(4);
  };
  const pick = (key: string, cases: string[]) => pickFrom(comparisons, key, cases);
  const single = cpu.find((c) => c.case === 'resnet20-train');
  if (single) configs.train_cpu = `${single.residual} vs torch×1`;
  const kernels = trainProfile ? convKernelFigures(trainProfile.profile) : null;
  if (kernels && trainProfile) configs.kernels = `resnet20-train profile on ${trainProfile.config}`;
  return {
    train_ratio: pick('train', ['resnet20-train']),
    infer_ratio: pick('infer', ['resnet20-infer', 'resnet20-infer+fold']),
    resnet50_infer_ratio: pick('resnet50_infer', ['resnet50-infer', 'resnet50-infer+fold']),
    train_cpu_ratio: single ? +single.ratio.toFixed(4) : null,
    filter_grad_vs_forward: kernels?.filterVsForward ?? null,
    non_conv_share: kernels?.nonConvShare ?? null,
    capped: capped
      ? {
          torch_max_isa: capped.isa,
          train_ratio: pickFrom(capped.comparisons, 'capped_train', ['resnet20-train']),
          infer_ratio: pickFrom(capped.comparisons, 'capped_infer', ['resnet20-infer', 'resnet20-infer+fold']),
          resnet50_infer_ratio: pickFrom(capped.comparisons, 'capped_resnet50_infer', ['resnet50-infer', 'resnet50-infer+fold']),
        }
      : null,
    configs,
  };
}

/**
 * The profiled ResNet-20 training step the summary's kernel figures come from: the wasm run with the most
 * threads that has one (the CLI profiles only the widest configuration).
 * @example
 * ```ts
 * trainProfile(runs)?.config; // 'wasm×2'
 * ```
 */
export function trainProfile(runs: readonly BackendRun[]): { config: string; profile: KernelProfile } | undefined {
  const run = runs
    .filter((r) => r.backend === 'wasm' && r.profiles['resnet20-train'])
    .sort((a, b) => b.threads - a.threads)[0];
  return run ? { config: runLabel(run), profile: run.profiles['resnet20-train'] } : undefined;
}

/**
 * The two kernel-table figures of issue #12's acceptance: filter-gradient ÷ forward-convolution GFLOP/s,
 * and the share of kernel time outside the convolution kernels (`CONV_KERNELS`). Null where the profile lacks the kernels.
 * @example
 * ```ts
 * convKernelFigures(run.profiles['resnet20-train']); // { filterVsForward: 0.88, nonConvShare: 0.146 }
 * ```
 */
export function convKernelFigures(p: KernelProfile): { filterVsForward: number | null; nonConvShare: number | null } {
  const rate = (names: string[]) => {
    const rows = p.rows.filter((r) => names.includes(r.kernel));
    const ms = rows.reduce((a, r) => a + r.totalMs, 0);
    const flops = rows.reduce((a, r) => a + r.flops, 0);
    return ms > 0 && flops > 0 ? flops / ms : null;
  };
  const forward = rate([...CONV_FORWARD_KERNELS]);
  const filter = rate(['Conv2DBackpropFilter']);
  const convMs = p.rows.filter((r) => CONV_KERNELS.includes(r.kernel)).reduce((a, r) => a + r.totalMs, 0);
  return {
    filterVsForward: forward && filter ? +(filter / forward).toFixed(4) : null,
    nonConvShare: p.kernelMs > 0 && convMs > 0 ? +((p.kernelMs - convMs) / p.kernelMs).toFixed(4) : null,
  };
}

/**
 * Compare CPU time per repetition of single-threaded runs (wasm×1 and PyTorch with one thread): on a
 * machine busy with other work this estimates the idle-core throughput ratio better than wall time.
 * @example
 * ```ts
 * compareCpuTime(runs, torchSingle); // [{ case: 'resnet20-train', ratio: 0.3, ... }]
 * ```
 */
export function compareCpuTime(runs: readonly BackendRun[], torchSingle: TorchReport): CpuComparison[] {
  const out: CpuComparison[] = [];
  const single = runs.find((r) => r.backend === 'wasm' && r.threads === 1);
  if (!single) return out;
  for (const t of torchSingle.results) {
    if (!t.cpu_median_ms) continue;
    let best: { label: string; cpu: number } | null = null;
    for (const c of single.cases.filter((x) => x.name === t.name || x.name.startsWith(`${t.name}+`))) {
      const cpu = c.timing?.cpuMedianMs;
      if (cpu && (!best || cpu < best.cpu)) best = { label: runLabel(single) + c.name.slice(t.name.length), cpu };
    }
    if (best) out.push({ case: t.name, residual: best.label, residualCpuMs: best.cpu, torchCpuMs: t.cpu_median_ms, ratio: t.cpu_median_ms / best.cpu });
  }
  return out;
}

/**
 * Short name of a backend configuration: `wasm×2` for two threads, `cpu` otherwise.
 * @example
 * ```ts
 * runLabel({ backend: 'wasm', threads: 2 } as BackendRun); // 'wasm×2'
 * ```
 */
export function runLabel(run: Pick<BackendRun, 'backend' | 'threads'>): string {
  return run.backend === 'wasm' ? `wasm×${run.threads}` : run.backend;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/**
 * A plain-text summary for people (the JSON is for machines): throughput per case and backend, the
 * PyTorch ratios, and the per-kernel tables.
 * @example
 * ```ts
 * process.stderr.write(formatSummary(runs, torch, comparisons));
 * ```
 */
export function formatSummary(
  runs: readonly BackendRun[],
  torch: TorchReport | null,
  comparisons: readonly Comparison[],
  capped?: { torch: TorchReport; comparisons: readonly Comparison[] } | null,
): string {
  const lines: string[] = [];
  lines.push('case               backend   median ms   images/s');
  for (const r of runs) {
    for (const c of r.cases) {
      const ms = c.medianMs !== undefined ? c.medianMs.toFixed(1) : '-';
      const ips = c.imagesPerS !== undefined ? c.imagesPerS.toFixed(1) : `skipped`;
      lines.push(`${pad(c.name, 18)} ${pad(runLabel(r), 8)} ${lpad(ms, 10)} ${lpad(ips, 10)}`);
    }
  }
  for (const r of runs) lines.push(`matmul 1024³ peak ${runLabel(r)}: ${r.peakMatmulGflops.toFixed(1)} GFLOP/s`);
  for (const r of runs) if (r.adapter) lines.push(`${runLabel(r)} adapter: ${adapterLabel(r.adapter)}`);
  if (torch?.peak_matmul_gflops) lines.push(`matmul 1024³ peak torch×${torch.threads}: ${torch.peak_matmul_gflops.toFixed(1)} GFLOP/s`);
  for (const tr of [torch, capped?.torch ?? null]) {
    for (const t of tr?.results ?? []) {
      lines.push(`${pad(t.name, 18)} ${pad(torchLabel(tr!), 8)} ${lpad(t.median_ms.toFixed(1), 10)} ${lpad(t.images_per_s.toFixed(1), 10)}`);
    }
  }
  for (const c of [...comparisons, ...(capped?.comparisons ?? [])]) {
    lines.push(`ratio ${c.case}: ${c.residual} / ${c.torch ?? 'torch'} = ${c.ratio.toFixed(3)}`);
  }
  for (const r of runs) {
    for (const [name, p] of Object.entries(r.profiles)) {
      lines.push('', `kernels of one ${name} on ${runLabel(r)} (sum ${p.kernelMs.toFixed(1)} ms, profiled wall ${p.wallMs.toFixed(1)} ms, ${(p.flops / 1e9).toFixed(2)} GFLOP counted)`);
      lines.push('kernel                        calls   total ms      %   GFLOP/s');
      for (const row of p.rows.slice(0, 20)) {
        lines.push(
          `${pad(row.kernel, 28)} ${lpad(String(row.calls), 6)} ${lpad(row.totalMs.toFixed(1), 10)} ${lpad(row.percent.toFixed(1), 6)} ${lpad(row.gflops === null ? '' : row.gflops.toFixed(1), 9)}`,
        );
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** The report `cli` writes (subset used for rendering). */
export interface BenchReport {
  startedAt: string;
  machine: { cpu: string; cores: number; loadAverageBefore: number[]; loadAverageAfter: number[]; node: string };
  settings: { warmup: number; reps: number };
  runs: BackendRun[];
  torch: TorchReport | null;
  torchSingle?: TorchReport | null;
  /** PyTorch with oneDNN capped at an instruction set (see {@link BenchSummary.capped}). */
  torchCapped?: TorchReport | null;
  torchNote?: string;
  comparisons: Comparison[];
  cpuComparisons?: CpuComparison[];
  /** The comparisons against {@link BenchReport.torchCapped}. */
  cappedComparisons?: Comparison[];
}

/**
 * One line naming a GPU adapter, e.g. `nvidia hopper (NVIDIA H200), hardware`.
 * @example
 * ```ts
 * adapterLabel({ vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader', isFallback: true });
 * // 'google swiftshader (SwiftShader), software fallback'
 * ```
 */
export function adapterLabel(a: NonNullable<BackendRun['adapter']>): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ');
  const detail = [a.device, a.description].filter(Boolean).join(', ');
  return `${name}${detail ? ` (${detail})` : ''}, ${a.isFallback ? 'software fallback' : 'hardware'}`;
}

/**
 * Markdown tables of a report (throughput, ratios, GEMM peaks, kernel tables), for docs/performance.md.
 * @example
 * ```ts
 * writeFileSync('bench.md', formatMarkdown(report));
 * ```
 */
export function formatMarkdown(report: BenchReport): string {
  const m = report.machine;
  const out: string[] = [];
  const gpus = report.runs.filter((r) => r.adapter).map((r) => `${runLabel(r)} on ${adapterLabel(r.adapter!)}`);
  out.push(
    `Run of ${report.startedAt}: ${m.cpu}, ${m.cores} cores, Node ${m.node}${gpus.length ? `, ${gpus.join('; ')}` : ''}; load average ${m.loadAverageBefore.map((x) => x.toFixed(2)).join('/')} before, ${m.loadAverageAfter.map((x) => x.toFixed(2)).join('/')} after; ${report.settings.warmup} warm-up runs, median of ${report.settings.reps}.`,
    '',
    '| case | configuration | median ms | images/s | CPU ms (all threads) |',
    '|---|---|---:|---:|---:|',
  );
  for (const r of report.runs) {
    for (const c of r.cases) {
      out.push(
        `| ${c.name} | ${runLabel(r)}${c.note ? ' (one run, no warm-up)' : ''} | ${c.medianMs?.toFixed(1) ?? '–'} | ${c.imagesPerS?.toFixed(1) ?? `skipped: ${c.skipped ?? ''}`} | ${c.timing?.cpuMedianMs?.toFixed(1) ?? ''} |`,
      );
    }
  }
  if (report.torch) {
    for (const t of report.torch.results) {
      out.push(
        `| ${t.name} | PyTorch ${report.torch.version} CPU ×${report.torch.threads} | ${t.median_ms.toFixed(1)} | ${t.images_per_s.toFixed(1)} | ${t.cpu_median_ms?.toFixed(1) ?? ''} |`,
      );
    }
  } else out.push('', `PyTorch: ${report.torchNote ?? 'not run'}`);
  if (report.torchSingle) {
    for (const t of report.torchSingle.results) {
      out.push(`| ${t.name} | PyTorch ${report.torchSingle.version} CPU ×1 | ${t.median_ms.toFixed(1)} | ${t.images_per_s.toFixed(1)} | ${t.cpu_median_ms?.toFixed(1) ?? ''} |`);
    }
  }
  const capped = report.torchCapped;
  for (const t of capped?.results ?? []) {
    out.push(`| ${t.name} | PyTorch ${capped!.version} CPU ×${capped!.threads}, oneDNN capped at ${capped!.max_cpu_isa} | ${t.median_ms.toFixed(1)} | ${t.images_per_s.toFixed(1)} | ${t.cpu_median_ms?.toFixed(1) ?? ''} |`);
  }
  if (report.comparisons.length) {
    out.push('', '| case | fastest residual | residual images/s | fastest PyTorch | PyTorch images/s | ratio |', '|---|---|---:|---|---:|---:|');
    for (const c of [...report.comparisons, ...(report.cappedComparisons ?? [])]) {
      out.push(`| ${c.case} | ${c.residual} | ${c.residualImagesPerS.toFixed(1)} | ${c.torch ?? ''} | ${c.torchImagesPerS.toFixed(1)} | ${c.ratio.toFixed(3)} |`);
    }
  }
  if (report.cpuComparisons?.length) {
    out.push('', '| case (one thread, CPU time per batch) | residual | residual CPU ms | PyTorch×1 CPU ms | ratio |', '|---|---|---:|---:|---:|');
    for (const c of report.cpuComparisons) {
      out.push(`| ${c.case} | ${c.residual} | ${c.residualCpuMs.toFixed(1)} | ${c.torchCpuMs.toFixed(1)} | ${c.ratio.toFixed(3)} |`);
    }
  }
  out.push('', '| GEMM 1024³ | GFLOP/s |', '|---|---:|');
  for (const r of report.runs) out.push(`| ${runLabel(r)} | ${r.peakMatmulGflops.toFixed(1)} |`);
  if (report.torch?.peak_matmul_gflops) out.push(`| PyTorch ×${report.torch.threads} | ${report.torch.peak_matmul_gflops.toFixed(1)} |`);
  for (const r of report.runs) {
    for (const [name, p] of Object.entries(r.profiles)) {
      out.push(
        '',
        `Kernels of one \`${name}\` on ${runLabel(r)}: ${p.kernelMs.toFixed(1)} ms in kernels (profiled run ${p.wallMs.toFixed(1)} ms), ${(p.flops / 1e9).toFixed(2)} GFLOP in convolutions and matrix products.`,
        '',
        '| kernel | calls | total ms | % | GFLOP | GFLOP/s |',
        '|---|---:|---:|---:|---:|---:|',
      );
      for (const row of p.rows.filter((x) => x.totalMs >= 0.5 || x.flops > 0)) {
        out.push(
          `| ${row.kernel} | ${row.calls} | ${row.totalMs.toFixed(1)} | ${row.percent.toFixed(1)} | ${row.flops ? (row.flops / 1e9).toFixed(2) : ''} | ${row.gflops === null ? '' : row.gflops.toFixed(1)} |`,
        );
      }
      if (p.byShape?.length && name.includes('train')) {
        out.push('', `By input shapes (\`${name}\`, ${runLabel(r)}):`, '', '| kernel and input shapes | calls | total ms | GFLOP/s |', '|---|---:|---:|---:|');
        for (const row of [...p.byShape].sort((a, b) => a.kernel.localeCompare(b.kernel))) {
          out.push(`| ${row.kernel} | ${row.calls} | ${row.totalMs.toFixed(1)} | ${row.gflops === null ? '' : row.gflops.toFixed(1)} |`);
        }
      }
    }
  }
  return out.join('\n') + '\n';
}
