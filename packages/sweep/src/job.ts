import { checkSegment } from './ids';

/** Per-run settings every run of a sweep gets, on top of its recipe: numbers only, never paths. */
export interface RunOverrides {
  iterations?: number;
  epochs?: number;
  batchSize?: number;
  limitTrain?: number;
  limitTest?: number;
  logEvery?: number;
  /** Checkpoint every this many iterations (what a killed worker's run resumes from). */
  checkpointEvery?: number;
}

export const OVERRIDE_KEYS = ['iterations', 'epochs', 'batchSize', 'limitTrain', 'limitTest', 'logEvery', 'checkpointEvery'] as const;

/** What one run's job carries: recipe data, the variant, the seed and the overrides; no code, no paths. */
export interface RunJobData {
  /** Format version of this object. */
  v: 1;
  sweep: string;
  /** The recipe as JSON data (a worker validates it as `residual train` does before running). */
  recipe: Record<string, unknown>;
  variant: string | null;
  seed: number;
  overrides: RunOverrides;
}

/**
 * An error that no retry can fix: a bad recipe, a NaN loss. The job fails at once with its message.
 *
 * @example
 * ```ts
 * import { FatalRunError } from '@residual/sweep';
 * // in a worker's execute(ctx):
 * throw new FatalRunError(`job ${ctx.jobId}: the recipe names no dataset`);
 * ```
 */
export class FatalRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FatalRunError';
  }
}

/**
 * Checks a job's data before a worker acts on it (a job may come from an older client, or from anyone
 * who can write to the queue): the fields and their types, segment-safe names, integer overrides.
 * Throws {@link FatalRunError} naming the job and what is wrong.
 *
 * @example
 * ```ts
 * import { checkJobData } from '@residual/sweep';
 * const data = checkJobData(job.data, job.id); // { v: 1, sweep, recipe, variant, seed, overrides }
 * ```
 */
export function checkJobData(data: unknown, jobId: string): RunJobData {
  const bad = (why: string): never => {
    throw new FatalRunError(`job ${jobId}: ${why}`);
  };
  if (!data || typeof data !== 'object' || Array.isArray(data)) bad('its data is not an object');
  const d = data as Record<string, unknown>;
  const known = ['v', 'sweep', 'recipe', 'variant', 'seed', 'overrides'];
  const extra = Object.keys(d).filter((k) => !known.includes(k));
  if (extra.length) bad(`unknown fields ${extra.join(', ')} (a job carries only ${known.join(', ')})`);
  if (d.v !== 1) bad(`format version ${JSON.stringify(d.v)} is not 1 (submitted by another version of residual?)`);
  if (typeof d.sweep !== 'string') bad('sweep must be a string');
  try {
    checkSegment(d.sweep as string, 'sweep id');
    if (d.variant !== null) checkSegment(String(d.variant), 'variant id');
  } catch (e) {
    bad((e as Error).message.replace('@residual/sweep: ', ''));
  }
  if (d.variant !== null && typeof d.variant !== 'string') bad('variant must be a string or null');
  if (!Number.isSafeInteger(d.seed) || (d.seed as number) < 0) bad(`seed must be a non-negative integer, got ${JSON.stringify(d.seed)}`);
  if (!d.recipe || typeof d.recipe !== 'object' || Array.isArray(d.recipe)) bad('recipe must be a JSON object');
  const o = (d.overrides ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || Array.isArray(o)) bad('overrides must be an object');
  for (const [k, v] of Object.entries(o)) {
    if (!(OVERRIDE_KEYS as readonly string[]).includes(k)) bad(`unknown override ${k} (known: ${OVERRIDE_KEYS.join(', ')})`);
    if (!Number.isSafeInteger(v) || (v as number) < 1) bad(`override ${k} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return { v: 1, sweep: d.sweep as string, recipe: d.recipe as Record<string, unknown>, variant: d.variant as string | null, seed: d.seed as number, overrides: o as RunOverrides };
}
