/** Summary of repeated timings, in milliseconds. */
export interface TimingSummary {
  /** Median of the timed repetitions (the number every report quotes). */
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Every timed repetition, in order (warm-up runs excluded). */
  timesMs: number[];
  /**
   * Median CPU time of the process per repetition (all its threads, user + system), in ms. Unlike wall
   * time it hardly grows when other processes compete for the cores, so on a busy machine it estimates
   * the single-threaded cost on an idle core.
   */
  cpuMedianMs?: number;
  cpuTimesMs?: number[];
}

/**
 * Median of a non-empty list (mean of the two middle values for an even count).
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Summarise repeated timings.
 * @example
 * ```ts
 * summarize([12, 10, 11]).medianMs; // 11
 * ```
 */
export function summarize(timesMs: readonly number[], cpuTimesMs?: readonly number[]): TimingSummary {
  const out: TimingSummary = { medianMs: median(timesMs), minMs: Math.min(...timesMs), maxMs: Math.max(...timesMs), timesMs: [...timesMs] };
  if (cpuTimesMs?.length) {
    out.cpuMedianMs = median(cpuTimesMs);
    out.cpuTimesMs = [...cpuTimesMs];
  }
  return out;
}

/** Options of {@link timeRepeated}. */
export interface TimeRepeatedOptions {
  /** Untimed runs first (compilation, allocation, caches). @defaultValue 2 */
  warmup?: number;
  /** Timed runs. @defaultValue 5 */
  reps?: number;
  /** Stop adding repetitions once this much time is spent timing (at least one always runs). */
  budgetMs?: number;
}

/**
 * Run `fn` `warmup` times untimed, then up to `reps` times timed (wall clock), and summarise.
 * `fn` must finish its work before it returns (read a result back for asynchronous backends).
 * @example
 * ```ts
 * const t = await timeRepeated(() => heavy(), { warmup: 1, reps: 3 });
 * console.log(t.medianMs);
 * ```
 */
export async function timeRepeated(fn: () => unknown, options: TimeRepeatedOptions = {}): Promise<TimingSummary> {
  const { warmup = 2, reps = 5, budgetMs = Infinity } = options;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const cpu: number[] = [];
  let spent = 0;
  while (times.length < Math.max(1, reps) && (times.length === 0 || spent < budgetMs)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    const c = process.cpuUsage(c0);
    times.push(dt);
    cpu.push((c.user + c.system) / 1000);
    spent += dt;
  }
  return summarize(times, cpu);
}
