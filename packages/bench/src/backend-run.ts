import { tf, useBackend, backendInfo, type AdapterDescription, type BackendName } from '@residual/tensor';
import { CASES, HEADLINE_CASES, prepareCase, type CaseSpec } from './cases';
import { profileKernels, type KernelProfile } from './profile';
import { timeRepeated, type TimingSummary } from './stats';

/** Options of {@link runBackend}. */
export interface BackendRunOptions {
  backend: BackendName;
  /** wasm threads (ignored elsewhere). */
  threads?: number;
  /** Case names to run. */
  cases: string[];
  warmup: number;
  reps: number;
  /** Skip a case whose estimated time for warm-up plus one repetition exceeds this. */
  budgetMs: number;
  /** Per-kernel profile of these cases (one extra run each). */
  profile: string[];
}

/** One case on one backend. */
export interface CaseResult {
  name: string;
  mode: 'train' | 'infer';
  batch: number;
  medianMs?: number;
  imagesPerS?: number;
  timing?: TimingSummary;
  /** Tensors alive after the timed runs minus after the first (warm-up) run: 0 when nothing leaks. */
  tensorsLeaked?: number;
  /** Why the case did not run. */
  skipped?: string;
  /** How the measurement departs from the settings (a slow backend's single run). */
  note?: string;
}

/** Everything measured on one backend configuration. */
export interface BackendRun {
  backend: BackendName;
  tfName: string;
  threads: number;
  simd: boolean | null;
  /** The GPU adapter (webgpu). */
  adapter?: AdapterDescription;
  /** GFLOP/s of a 1024×1024×1024 matmul: what this backend's GEMM reaches on this machine. */
  peakMatmulGflops: number;
  /** GFLOP/s of a small 3×3 convolution, the basis of the harness's time estimates. */
  convProbeGflops?: number;
  cases: CaseResult[];
  profiles: Record<string, KernelProfile>;
}

// Multiply-adds per image of the forward pass (convolutions and the classifier): ResNet-20 on 32×32
// (≈ 41 M, He et al. 2016 §4.2 architecture) and torchvision's ResNet-50 on 224×224 (4.09 G). A training
// step costs about three forward passes (forward, input gradient, filter gradient). Used only to skip
// cases that cannot finish within the budget on slow backends.
const FORWARD_MACS: Record<CaseSpec['model'], number> = { resnet20: 40.8e6, resnet50: 4.09e9 };

/**
 * Estimated FLOPs of one run of a case (multiply-add = 2 FLOPs).
 * @example
 * ```ts
 * caseFlops(CASES[0]); // ≈ 3.1e10 for a ResNet-20 training step on 128 images
 * ```
 */
export function caseFlops(spec: CaseSpec): number {
  return 2 * FORWARD_MACS[spec.model] * spec.batch * (spec.mode === 'train' ? 3 : 1);
}

async function matmulPeak(): Promise<number> {
  const n = tf.getBackend() === 'cpu' ? 256 : 1024;
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  const t = await timeRepeated(
    async () => {
      const c = tf.matMul(a, b);
      await c.data(); // async: GPU backends (webgpu in Node) read back only asynchronously
      c.dispose();
    },
    { warmup: 1, reps: 5 },
  );
  tf.dispose([a, b]);
  return (2 * n ** 3) / (t.medianMs * 1e6);
}

// What a 3×3 convolution reaches on this backend: the basis of the time estimates (a GEMM peak
// overestimates backends whose convolutions are plain loops, such as cpu).
async function convProbe(): Promise<number> {
  const x = tf.randomNormal([8, 16, 16, 32], 0, 1, 'float32', 3);
  const w = tf.randomNormal([3, 3, 32, 32], 0, 0.1, 'float32', 4);
  const t = await timeRepeated(
    async () => {
      const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
      await y.data();
      y.dispose();
    },
    { warmup: 1, reps: 3 },
  );
  tf.dispose([x, w]);
  return (2 * 8 * 16 * 16 * 32 * 9 * 32) / (t.medianMs * 1e6);
}

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/**
 * Select a backend (with `threads` on wasm), then time each case: warm-up, repetitions, median.
 * @example
 * ```ts
 * const run = await runBackend({ backend: 'wasm', threads: 2, cases: ['resnet20-infer'], warmup: 1, reps: 3, budgetMs: 60000, profile: [] });
 * ```
 */
export async function runBackend(options: BackendRunOptions): Promise<BackendRun> {
  if (options.backend === 'wasm') {
    const wasm = await import('@residual/backend-wasm');
    wasm.setThreadsCount(options.threads ?? 1);
  }
  await useBackend(options.backend);
  const info = backendInfo();
  const peak = await matmulPeak();
  const conv = await convProbe();
  if (info.adapter) log(`${info.name} adapter: ${JSON.stringify(info.adapter)}`);
  log(`${info.name} threads=${info.threads} simd=${info.simd} matmul peak ${peak.toFixed(1)} GFLOP/s, conv probe ${conv.toFixed(2)} GFLOP/s`);
  const run: BackendRun = {
    backend: info.name,
    tfName: info.tfName,
    threads: info.threads,
    simd: info.simd,
    ...(info.adapter ? { adapter: info.adapter } : {}),
    peakMatmulGflops: peak,
    convProbeGflops: conv,
    cases: [],
    profiles: {},
  };
  for (const spec of CASES.filter((c) => options.cases.includes(c.name))) {
    const base = { name: spec.name, mode: spec.mode, batch: spec.batch };
    // Gradient kernels run far below forward convolutions on the cpu backend (a ResNet-20 step there
    // reached under a tenth of the probe's rate); the same factor is merely pessimistic for wasm.
    const perRunMs = caseFlops(spec) / ((spec.mode === 'train' ? 0.08 : 1) * conv * 1e6);
    // Headline cases on the backends they compare (not the cpu reference) always get a warm-up and
    // ≥ 3 repetitions: a ratio from one cold run says little on a noisy machine.
    const headline = HEADLINE_CASES.includes(spec.name) && info.name !== 'cpu';
    let warmup = headline ? Math.max(1, options.warmup) : options.warmup;
    const reps = headline ? Math.max(3, options.reps) : options.reps;
    let note: string | undefined;
    if (!headline && perRunMs * (warmup + 1) > options.budgetMs) {
      if (perRunMs > options.budgetMs) {
        const reason = `estimated ${(perRunMs / 1000).toFixed(0)} s per run (conv probe ${conv.toFixed(2)} GFLOP/s) > budget ${(options.budgetMs / 1000).toFixed(0)} s`;
        log(`${spec.name}: skipped (${reason})`);
        run.cases.push({ ...base, skipped: reason });
        continue;
      }
      warmup = 0;
      note = `one run without warm-up: estimated ${(perRunMs / 1000).toFixed(0)} s per run (budget ${(options.budgetMs / 1000).toFixed(0)} s)`;
    }
    const prepared = prepareCase(spec);
    try {
      // The first run creates lasting state (optimizer slots): count tensors from after it.
      if (warmup > 0) await prepared.run();
      const before = tf.memory().numTensors;
      const timing = await timeRepeated(() => prepared.run(), {
        warmup: Math.max(0, warmup - 1),
        reps,
        budgetMs: headline ? Infinity : options.budgetMs,
      });
      const leaked = tf.memory().numTensors - before;
      run.cases.push({
        ...base,
        medianMs: timing.medianMs,
        imagesPerS: (spec.batch * 1000) / timing.medianMs,
        timing,
        tensorsLeaked: leaked,
        ...(note ? { note } : {}),
      });
      log(
        `${spec.name}: median ${timing.medianMs.toFixed(1)} ms (CPU ${timing.cpuMedianMs?.toFixed(1)} ms), ${((spec.batch * 1000) / timing.medianMs).toFixed(1)} img/s`,
      );
      if (options.profile.includes(spec.name)) run.profiles[spec.name] = await profileKernels(() => prepared.run());
    } finally {
      prepared.dispose();
    }
  }
  return run;
}
