import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** One case as torch_bench.py reports it. */
export interface TorchCase {
  name: string;
  mode: 'train' | 'infer';
  batch: number;
  median_ms: number;
  images_per_s: number;
  times_ms: number[];
  /** Median process CPU time per repetition (all threads, spin-waiting included), ms. */
  cpu_median_ms?: number;
  cpu_times_ms?: number[];
}

/** What torch_bench.py prints. */
export interface TorchReport {
  framework: 'pytorch';
  version: string;
  threads: number;
  /** GFLOP/s of a 1024³ matmul in the same process. */
  peak_matmul_gflops?: number;
  /** oneDNN's instruction-set cap in that run (`ONEDNN_MAX_CPU_ISA`, e.g. `AVX2`); null or absent: none. */
  max_cpu_isa?: string | null;
  results: TorchCase[];
}

/** Options of {@link runTorchBench}. */
export interface TorchBenchOptions {
  /** Interpreter with torch. @defaultValue '/usr/bin/python3' (Debian's, where python3-torch lives) */
  python?: string;
  /** Path of torch_bench.py. @defaultValue found under `tools/bench/` of the repository */
  script?: string;
  threads: number;
  warmup: number;
  reps: number;
  cases: string[];
  /**
   * Caps oneDNN, which runs PyTorch's convolutions, at this instruction set (`ONEDNN_MAX_CPU_ISA`, one of
   * {@link ONEDNN_ISAS}): `AVX2` makes an AVX-512 machine's PyTorch run as it would on one without AVX-512.
   * @defaultValue none: oneDNN uses the best the CPU has
   */
  maxCpuIsa?: string;
}

/** The values oneDNN 2.6 (PyTorch 1.13's) takes for `ONEDNN_MAX_CPU_ISA`. */
export const ONEDNN_ISAS = ['SSE41', 'AVX', 'AVX2', 'AVX2_VNNI', 'AVX512_CORE', 'AVX512_CORE_VNNI', 'AVX512_CORE_BF16', 'AVX512_CORE_AMX', 'ALL'] as const;

/**
 * Whether this machine's CPU has AVX-512 (`avx512f` in `/proc/cpuinfo`; false where that file is absent or
 * unreadable). The bench then also compares with PyTorch capped at AVX2, the reference machine's ISA.
 * @example
 * ```ts
 * cpuHasAvx512(); // true on a Xeon with AVX-512, false on an AVX2-only EPYC
 * ```
 */
export function cpuHasAvx512(cpuinfo = '/proc/cpuinfo'): boolean {
  try {
    return /^flags\s*:.*\bavx512f\b/m.test(readFileSync(cpuinfo, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Walk up from `start` to the monorepo root (the folder with `turbo.json`).
 * @example
 * ```ts
 * findRepoRoot(process.cwd()); // '/work/main'
 * ```
 */
export function findRepoRoot(start: string): string | null {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'turbo.json')) && existsSync(join(dir, 'packages'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/**
 * Whether `python` imports torch; the reason when it does not.
 * @example
 * ```ts
 * torchAvailable('/usr/bin/python3'); // { ok: true, version: '1.13.0' }
 * ```
 */
export function torchAvailable(python = '/usr/bin/python3'): { ok: boolean; version?: string; reason?: string } {
  if (!existsSync(python)) return { ok: false, reason: `${python} not found` };
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return { ok: false, reason: `${python} cannot import torch: ${(r.stderr || '').trim().split('\n').pop()}` };
  return { ok: true, version: r.stdout.trim() };
}

/**
 * Parse and check torch_bench.py's output.
 * @example
 * ```ts
 * parseTorchReport('{"framework":"pytorch","version":"1.13","threads":2,"results":[]}').threads; // 2
 * ```
 */
export function parseTorchReport(text: string): TorchReport {
  const line = text.trim().split('\n').pop() ?? '';
  let data: TorchReport;
  try {
    data = JSON.parse(line) as TorchReport;
  } catch {
    throw new Error(`torch_bench.py printed no JSON: '${line.slice(0, 200)}'`);
  }
  if (data.framework !== 'pytorch' || !Array.isArray(data.results)) {
    throw new Error('torch_bench.py output lacks framework "pytorch" or a results array');
  }
  for (const r of data.results) {
    if (typeof r.name !== 'string' || !(r.median_ms > 0) || !(r.images_per_s > 0)) {
      throw new Error(`torch_bench.py result is malformed: ${JSON.stringify(r).slice(0, 200)}`);
    }
  }
  return data;
}

/**
 * Run tools/bench/torch_bench.py (PyTorch CPU, same models and batch sizes) and return its report.
 * @example
 * ```ts
 * const t = runTorchBench({ threads: 2, warmup: 2, reps: 5, cases: ['resnet20-train'] });
 * ```
 */
export function runTorchBench(options: TorchBenchOptions): TorchReport {
  const python = options.python ?? '/usr/bin/python3';
  const root = findRepoRoot(process.cwd()) ?? findRepoRoot(__dirname);
  const script = options.script ?? (root ? join(root, 'tools', 'bench', 'torch_bench.py') : '');
  if (!script || !existsSync(script)) throw new Error(`torch_bench.py not found (looked for '${script}')`);
  const args = [
    script,
    '--threads', String(options.threads),
    '--warmup', String(options.warmup),
    '--reps', String(options.reps),
    // PyTorch runs each case once, without the harness's variants (its eval BatchNorm is oneDNN's).
    '--only', [...new Set(options.cases.map((c) => c.split('+')[0]))].join(','),
  ];
  // The script imports tools/common (the shared reference nets): the repository root on the path.
  const pythonPath = [root ?? resolve(dirname(script), '..', '..'), process.env.PYTHONPATH].filter(Boolean).join(':');
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(options.threads), PYTHONPATH: pythonPath };
  if (options.maxCpuIsa !== undefined) {
    const isa = options.maxCpuIsa.toUpperCase();
    if (!(ONEDNN_ISAS as readonly string[]).includes(isa)) {
      throw new Error(`runTorchBench: maxCpuIsa '${options.maxCpuIsa}' is not one of oneDNN's ${ONEDNN_ISAS.join(', ')}`);
    }
    // Both spellings: oneDNN 2.x reads ONEDNN_ first, older builds only DNNL_.
    env.ONEDNN_MAX_CPU_ISA = env.DNNL_MAX_CPU_ISA = isa;
  }
  const r = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 16 << 20, env });
  if (r.status !== 0) throw new Error(`torch_bench.py failed (exit ${r.status}): ${(r.stderr || '').slice(-500)}`);
  return parseTorchReport(r.stdout);
}
