import { availableParallelism } from 'node:os';
import type { BackendName } from '@residual/tensor';
import { CASES } from './cases';
import { cpuHasAvx512, ONEDNN_ISAS } from './torch';

/** Usage text of `residual-bench --help`. */
export const USAGE = `Usage: residual-bench [options]   (JSON on stdout, bench-results/<timestamp>.json and .md)

  --backends a,b        backends to try (default node-gpu,node,webgpu,wasm,cpu; unavailable ones are skipped,
                        and webgpu on a software adapter unless named here)
  --threads 1,2         wasm thread counts, one process each (default 1,<cores>)
  --cases a,b           ${CASES.map((c) => c.name).join(', ')}
  --warmup n --reps n   warm-up runs and timed repetitions (default 2 and 5; the median is reported)
  --budget-s n          per case and backend (default 120): slow backends skip or shorten cases
  --profile a,b         cases profiled per kernel (default resnet20-train,resnet20-infer,resnet20-infer+fold)
  --torch-max-isa NAME  also compare with PyTorch with oneDNN capped at NAME (default AVX2 on AVX-512 CPUs)
  --no-profile --no-torch --no-torch-single --no-torch-max-isa --torch-threads n --python path --out dir
  --markdown file.json  render a saved report as Markdown and exit
`;

/** Command-line options of `residual-bench` (see README). */
export interface BenchArgs {
  /** `--help` was given: print {@link USAGE} and exit. */
  help?: boolean;
  backends: BackendName[];
  /** `--backends` was given (then a software webgpu adapter is benchmarked too). */
  backendsExplicit?: boolean;
  /** wasm thread counts to run, each in its own process. */
  threads: number[];
  cases: string[];
  warmup: number;
  reps: number;
  /** Per-case time budget in seconds (slow backends skip or shorten cases). */
  budgetS: number;
  /** Cases to profile per kernel. */
  profile: string[];
  torch: boolean;
  /** PyTorch thread count of the comparison run. */
  torchThreads: number;
  /** Extra single-threaded PyTorch run for the CPU-time comparison (`--no-torch-single` turns it off). */
  torchSingle: boolean;
  /**
   * An extra PyTorch run (at `torchThreads`) with oneDNN capped at this instruction set; null: none.
   * Default `AVX2` where the CPU has AVX-512 (the targets were set on an AVX2 machine), else null.
   */
  torchMaxIsa: string | null;
  python: string;
  out?: string;
}

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

function positiveInt(flag: string, v: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`residual-bench: ${flag} expects an integer ≥ ${min}, got '${v}'`);
  return n;
}

/**
 * Parse `residual-bench` arguments; unknown flags and bad values throw with the flag's name.
 * @example
 * ```ts
 * parseArgs(['--reps', '3', '--no-torch']).reps; // 3
 * ```
 */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const cores = availableParallelism();
  const a: BenchArgs = {
    backends: ['node-gpu', 'node', 'webgpu', 'wasm', 'cpu'],
    threads: [...new Set([1, Math.min(8, cores)])],
    cases: CASES.map((c) => c.name),
    warmup: 2,
    reps: 5,
    budgetS: 120,
    profile: ['resnet20-train', 'resnet20-infer', 'resnet20-infer+fold'],
    torch: true,
    torchThreads: cores,
    torchSingle: cores > 1,
    torchMaxIsa: cpuHasAvx512() ? 'AVX2' : null,
    python: process.env.RESIDUAL_BENCH_PYTHON ?? '/usr/bin/python3',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`residual-bench: ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--backends': a.backends = list(value()) as BackendName[]; a.backendsExplicit = true; break;
      case '--threads': a.threads = list(value()).map((v) => positiveInt(flag, v)); break;
      case '--cases': {
        a.cases = list(value());
        const known = CASES.map((c) => c.name) as string[];
        const bad = a.cases.filter((c) => !known.includes(c));
        if (bad.length) throw new Error(`residual-bench: unknown case(s) ${bad.join(', ')}; known: ${known.join(', ')}`);
        break;
      }
      case '--warmup': a.warmup = positiveInt(flag, value(), 0); break;
      case '--reps': a.reps = positiveInt(flag, value()); break;
      case '--budget-s': a.budgetS = positiveInt(flag, value()); break;
      case '--profile': a.profile = list(value()); break;
      case '--no-profile': a.profile = []; break;
      case '--no-torch': a.torch = false; break;
      case '--no-torch-single': a.torchSingle = false; break;
      case '--torch-max-isa': {
        const isa = value().toUpperCase();
        if (!(ONEDNN_ISAS as readonly string[]).includes(isa)) throw new Error(`residual-bench: --torch-max-isa expects one of ${ONEDNN_ISAS.join(', ')}, got '${isa}'`);
        a.torchMaxIsa = isa;
        break;
      }
      case '--no-torch-max-isa': a.torchMaxIsa = null; break;
      case '--torch-threads': a.torchThreads = positiveInt(flag, value()); break;
      case '--python': a.python = value(); break;
      case '--out': a.out = value(); break;
      case '--help': case '-h': a.help = true; break;
      default: throw new Error(`residual-bench: unknown option '${flag}' (see packages/bench/README.md)`);
    }
  }
  return a;
}
