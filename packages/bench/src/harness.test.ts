import { median, summarize, timeRepeated } from './stats';
import { parseArgs } from './args';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuHasAvx512, parseTorchReport, runTorchBench } from './torch';
import { benchSummary, compareCpuTime, compareWithTorch, convKernelFigures, formatMarkdown, runLabel, torchLabel, trainProfile } from './report';
import type { BackendRun } from './backend-run';

describe('timing', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
    expect(summarize([3, 1, 2])).toMatchObject({ medianMs: 2, minMs: 1, maxMs: 3, timesMs: [3, 1, 2] });
  });

  it('runs warm-ups untimed, then the repetitions, stopping early past the budget', async () => {
    let calls = 0;
    const t = await timeRepeated(() => void calls++, { warmup: 2, reps: 3 });
    expect(calls).toBe(5);
    expect(t.timesMs).toHaveLength(3);
    let slow = 0;
    const b = await timeRepeated(
      async () => {
        slow++;
        await new Promise((r) => setTimeout(r, 5));
      },
      { warmup: 1, reps: 10, budgetMs: 1 },
    );
    // The first timed run already spends the budget: one repetition, after the warm-up.
    expect(b.timesMs.length).toBe(1);
    expect(b.timesMs[0]).toBeGreaterThanOrEqual(4);
    expect(b.cpuTimesMs).toHaveLength(1);
    expect(b.cpuMedianMs).toBeGreaterThanOrEqual(0);
    expect(slow).toBe(2);
  });
});

describe('command line', () => {
  it('parses options and names the bad flag', () => {
    const a = parseArgs(['--backends', 'wasm', '--threads', '1,2', '--cases', 'resnet20-train', '--reps', '3', '--no-torch']);
    expect(a).toMatchObject({ backends: ['wasm'], threads: [1, 2], cases: ['resnet20-train'], reps: 3, torch: false });
    expect(() => parseArgs(['--reps', '0'])).toThrow(/--reps expects an integer ≥ 1/);
    expect(() => parseArgs(['--cases', 'vgg'])).toThrow(/unknown case\(s\) vgg/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option '--fast'/);
    expect(parseArgs(['--help']).help).toBe(true);
  });
});

describe('PyTorch side', () => {
  const torch = {
    framework: 'pytorch' as const,
    version: '1.13',
    threads: 2,
    results: [{ name: 'resnet20-train', mode: 'train' as const, batch: 128, median_ms: 200, images_per_s: 640, times_ms: [200] }],
  };

  it('accepts torch_bench.py output and rejects malformed output', () => {
    expect(parseTorchReport('warning\n' + JSON.stringify(torch)).results[0].images_per_s).toBe(640);
    expect(() => parseTorchReport('Traceback ...')).toThrow(/printed no JSON/);
    expect(() => parseTorchReport(JSON.stringify({ ...torch, results: [{ name: 'x', median_ms: 0 }] }))).toThrow(/malformed/);
  });

  it('compares the fastest wasm configuration with PyTorch', () => {
    const run = (threads: number, ips: number): BackendRun => ({
      backend: 'wasm',
      tfName: 'wasm',
      threads,
      simd: true,
      peakMatmulGflops: 1,
      profiles: {},
      cases: [{ name: 'resnet20-train', mode: 'train', batch: 128, imagesPerS: ips }],
    });
    const c = compareWithTorch([run(1, 100), run(2, 160)], torch, 'wasm');
    expect(c).toEqual([{ case: 'resnet20-train', residual: 'wasm×2', residualImagesPerS: 160, torchImagesPerS: 640, torch: 'torch×2', ratio: 0.25 }]);
    // A faster PyTorch configuration (one thread on a busy machine) is the one compared with.
    const t1 = { ...torch, threads: 1, results: [{ ...torch.results[0], images_per_s: 800 }] };
    expect(compareWithTorch([run(2, 160)], torch, 'wasm', [t1, null])[0]).toMatchObject({ torch: 'torch×1', ratio: 0.2 });
    expect(runLabel({ backend: 'cpu', threads: 1 })).toBe('cpu');
  });

  it('compares single-thread CPU time, crediting the cheapest variant', () => {
    const single: BackendRun = {
      backend: 'wasm',
      tfName: 'wasm',
      threads: 1,
      simd: true,
      peakMatmulGflops: 1,
      profiles: {},
      cases: [
        { name: 'resnet20-infer', mode: 'infer', batch: 128, timing: { medianMs: 9, minMs: 9, maxMs: 9, timesMs: [9], cpuMedianMs: 400 } },
        { name: 'resnet20-infer+fold', mode: 'infer', batch: 128, timing: { medianMs: 8, minMs: 8, maxMs: 8, timesMs: [8], cpuMedianMs: 300 } },
      ],
    };
    const t1 = { ...torch, threads: 1, results: [{ name: 'resnet20-infer', mode: 'infer' as const, batch: 128, median_ms: 200, images_per_s: 640, times_ms: [200], cpu_median_ms: 150 }] };
    expect(compareCpuTime([single], t1)).toEqual([
      { case: 'resnet20-infer', residual: 'wasm×1+fold', residualCpuMs: 300, torchCpuMs: 150, ratio: 0.5 },
    ]);
  });
  it('summarises the headline ratios in one object, crediting the best configuration', () => {
    const s = benchSummary(
      [
        { case: 'resnet20-train', residual: 'wasm×2', residualImagesPerS: 80, torchImagesPerS: 300, torch: 'torch×2', ratio: 80 / 300 },
        { case: 'resnet20-infer', residual: 'wasm×2', residualImagesPerS: 500, torchImagesPerS: 1250, torch: 'torch×2', ratio: 0.4 },
        { case: 'resnet20-infer+fold', residual: 'wasm×2+fold', residualImagesPerS: 600, torchImagesPerS: 1250, torch: 'torch×2', ratio: 0.48 },
      ],
      [{ case: 'resnet20-train', residual: 'wasm×1', residualCpuMs: 2000, torchCpuMs: 500, ratio: 0.25 }],
    );
    expect(s).toEqual({
      train_ratio: 0.2667,
      infer_ratio: 0.48,
      resnet50_infer_ratio: null,
      train_cpu_ratio: 0.25,
      filter_grad_vs_forward: null,
      non_conv_share: null,
      capped: null,
      configs: { train: 'wasm×2 vs torch×2', infer: 'wasm×2+fold vs torch×2', train_cpu: 'wasm×1 vs torch×1' },
    });
  });

  it("adds the training profile's filter-gradient ÷ forward GFLOP/s and non-convolution share", () => {
    const row = (kernel: string, totalMs: number, flops: number) => ({ kernel, calls: 1, totalMs, percent: 0, flops, gflops: flops ? flops / totalMs / 1e6 : null });
    // Forward 4 GFLOP in 50 ms (80 GFLOP/s), filter gradient 4 GFLOP in 62.5 ms (64): 0.8. 100 of 400 ms
    // outside the four convolution kernels: 0.25.
    const rows = [row('Conv2D', 30, 2.4e9), row('FusedConv2D', 20, 1.6e9), row('Conv2DBackpropFilter', 62.5, 4e9), row('Conv2DBackpropInput', 187.5, 9e9), row('BatchNormTrainingGrad', 60, 0), row('Add', 40, 0)];
    const profile = { wallMs: 410, kernelMs: 400, flops: 17e9, rows, scopes: [], byShape: [] };
    const runs = [1, 2].map((threads) => ({ backend: 'wasm' as const, threads, profiles: threads === 2 ? { 'resnet20-train': profile } : {} }));
    const picked = trainProfile(runs as never);
    expect(picked?.config).toBe('wasm×2');
    const s = benchSummary([], [], picked);
    expect(s.filter_grad_vs_forward).toBeCloseTo(0.8, 4);
    expect(s.non_conv_share).toBeCloseTo(0.25, 4);
    expect(s.configs.kernels).toBe('resnet20-train profile on wasm×2');
    expect(convKernelFigures({ ...profile, rows: rows.slice(4) })).toEqual({ filterVsForward: null, nonConvShare: null });
  });

  it('compares with PyTorch capped at AVX2 beside its own best, and names the cap', () => {
    const run: BackendRun = {
      backend: 'wasm',
      tfName: 'wasm',
      threads: 2,
      simd: true,
      peakMatmulGflops: 1,
      profiles: {},
      cases: [{ name: 'resnet50-infer+fold', mode: 'infer', batch: 16, imagesPerS: 12 }],
    };
    const best = { ...torch, results: [{ name: 'resnet50-infer', mode: 'infer' as const, batch: 16, median_ms: 1000, images_per_s: 16, times_ms: [1000] }] };
    const avx2 = { ...best, max_cpu_isa: 'AVX2', results: [{ ...best.results[0], median_ms: 1200, images_per_s: 13.333 }] };
    const cappedComparisons = compareWithTorch([run], avx2, 'wasm');
    expect(cappedComparisons[0]).toMatchObject({ residual: 'wasm×2+fold', torch: 'torch×2 AVX2' });
    const s = benchSummary(compareWithTorch([run], best, 'wasm'), [], undefined, { isa: 'AVX2', comparisons: cappedComparisons });
    expect(s.resnet50_infer_ratio).toBe(0.75);
    expect(s.capped).toEqual({ torch_max_isa: 'AVX2', train_ratio: null, infer_ratio: null, resnet50_infer_ratio: 0.9 });
    expect(s.configs.capped_resnet50_infer).toBe('wasm×2+fold vs torch×2 AVX2');
    expect(torchLabel({ threads: 1, max_cpu_isa: null })).toBe('torch×1');
    const md = formatMarkdown({
      startedAt: 'now',
      machine: { cpu: 'x', cores: 2, loadAverageBefore: [0], loadAverageAfter: [0], node: 'v26' },
      settings: { warmup: 1, reps: 1 },
      runs: [run],
      torch: best,
      torchCapped: avx2,
      comparisons: compareWithTorch([run], best, 'wasm'),
      cappedComparisons,
    });
    expect(md).toContain('| resnet50-infer | PyTorch 1.13 CPU ×2, oneDNN capped at AVX2 | 1200.0 |');
    expect(md).toContain('| resnet50-infer | wasm×2+fold | 12.0 | torch×2 AVX2 | 13.3 | 0.900 |');
  });

  it('passes the cap to the PyTorch process as ONEDNN_MAX_CPU_ISA, and refuses names oneDNN does not know', () => {
    // A stand-in for torch_bench.py run by node itself: it reports the cap it saw in its environment.
    const dir = mkdtempSync(join(tmpdir(), 'bench-isa-'));
    const script = join(dir, 'echo_isa.js');
    writeFileSync(
      script,
      `const e = process.env; console.log(JSON.stringify({ framework: 'pytorch', version: 'stub', threads: +e.OMP_NUM_THREADS, max_cpu_isa: e.ONEDNN_MAX_CPU_ISA || null, results: [{ name: e.DNNL_MAX_CPU_ISA || 'none', mode: 'infer', batch: 1, median_ms: 1, images_per_s: 1, times_ms: [1] }] }));`,
    );
    const opts = { python: process.execPath, script, threads: 2, warmup: 0, reps: 1, cases: ['resnet20-infer'] };
    const capped = runTorchBench({ ...opts, maxCpuIsa: 'avx2' });
    expect(capped).toMatchObject({ threads: 2, max_cpu_isa: 'AVX2', results: [{ name: 'AVX2' }] });
    const plain = runTorchBench({ ...opts });
    expect(plain.max_cpu_isa ?? null).toBe(process.env.ONEDNN_MAX_CPU_ISA ?? null);
    expect(() => runTorchBench({ ...opts, maxCpuIsa: 'avx9000' })).toThrow(/'avx9000' is not one of oneDNN's SSE41, AVX, AVX2/);
  });

  it('reads AVX-512 from the cpuinfo flags line, and a missing file as none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cpuinfo-'));
    const with512 = join(dir, 'xeon');
    writeFileSync(with512, 'processor\t: 0\nflags\t\t: fpu sse avx2 avx512f avx512dq\n');
    const avx2 = join(dir, 'epyc');
    writeFileSync(avx2, 'processor\t: 0\nflags\t\t: fpu sse avx2 fma\nbugs\t\t: avx512f_in_a_bug_name\n');
    expect(cpuHasAvx512(with512)).toBe(true);
    expect(cpuHasAvx512(avx2)).toBe(false);
    expect(cpuHasAvx512(join(dir, 'absent'))).toBe(false);
    expect(parseArgs(['--torch-max-isa', 'avx512_core']).torchMaxIsa).toBe('AVX512_CORE');
    expect(parseArgs(['--no-torch-max-isa']).torchMaxIsa).toBeNull();
    expect(() => parseArgs(['--torch-max-isa', 'neon'])).toThrow(/--torch-max-isa expects one of SSE41/);
  });
});
