import { Queue, type JobsOptions } from 'bullmq';
import { pingRedis, redisOptions, type ConnectionOptions } from './connection';
import { runJobId } from './ids';
import type { RunJobData, RunOverrides } from './job';

/** The BullMQ queue that sweeps use unless told otherwise. */
export const DEFAULT_QUEUE = 'residual-runs';

/** Options of {@link submitRuns}. */
export interface SubmitOptions extends ConnectionOptions {
  /** BullMQ queue name (default {@link DEFAULT_QUEUE}); workers must listen on the same one. */
  queueName?: string;
  sweep: string;
  recipe: Record<string, unknown>;
  /** One job per entry: a variant id (`null` for a recipe without variants) and a seed. */
  runs: Array<{ variant: string | null; seed: number }>;
  overrides?: RunOverrides;
  /** Tries per run for transient failures (default 5); a fatal error fails the run at once. */
  attempts?: number;
  /** Also put runs that failed back in the queue (default: they stay failed). */
  retryFailed?: boolean;
}

/** What {@link submitRuns} did, per job id. */
export interface SubmitResult {
  added: string[];
  /** Already in the queue (waiting, running, done or failed): left alone. */
  existing: string[];
  /** Failed runs put back in the queue (`retryFailed`). */
  retried: string[];
}

/**
 * The default job options: keep finished and failed jobs (they are the sweep's record, and what makes
 * resubmitting idempotent); `attempts` tries with exponential back-off from 2 s.
 *
 * @example
 * ```ts
 * import { Queue } from 'bullmq';
 * import { runJobOptions, runJobId } from '@residual/sweep';
 * await new Queue('residual-runs', { connection }).add('run', data, { ...runJobOptions(3), jobId: runJobId(sweep, 'a', 0) });
 * ```
 */
export function runJobOptions(attempts = 5): JobsOptions {
  return { attempts, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: false, removeOnFail: false };
}

/**
 * Runs `f` on the sweep queue: a PING first (a wrong host, password or certificate fails now with
 * Redis' reason), the queue closed afterwards. For short-lived clients (submit, status).
 * @internal
 */
export async function withQueue<T>(options: ConnectionOptions & { queueName?: string }, f: (queue: Queue<RunJobData>) => Promise<T>): Promise<T> {
  await pingRedis(options);
  const queue = new Queue<RunJobData>(options.queueName ?? DEFAULT_QUEUE, { connection: redisOptions(options) });
  try {
    return await f(queue);
  } finally {
    await queue.close();
  }
}

/**
 * Enqueue one job per run of a sweep. Job ids come from the sweep id, variant and seed
 * ({@link runJobId}), and BullMQ adds a job only once per id: submitting the same sweep again adds nothing.
 *
 * @example
 * ```ts
 * import { submitRuns } from '@residual/sweep';
 * const r = await submitRuns({ url: 'redis://127.0.0.1:6379', sweep: 'my-recipe-0123456789ab', recipe,
 *   runs: [{ variant: 'resnet20-A', seed: 0 }, { variant: 'resnet20-A', seed: 1 }] });
 * console.log(r.added.length, 'added,', r.existing.length, 'already there');
 * ```
 */
export async function submitRuns(options: SubmitOptions): Promise<SubmitResult> {
  return withQueue(options, async (queue) => {
    const result: SubmitResult = { added: [], existing: [], retried: [] };
    for (const { variant, seed } of options.runs) {
      const id = runJobId(options.sweep, variant, seed);
      const old = await queue.getJob(id);
      if (old) {
        if (options.retryFailed && (await old.getState()) === 'failed') {
          await old.retry('failed');
          result.retried.push(id);
        } else result.existing.push(id);
        continue;
      }
      const data: RunJobData = { v: 1, sweep: options.sweep, recipe: options.recipe, variant, seed, overrides: options.overrides ?? {} };
      await queue.add('run', data, { ...runJobOptions(options.attempts), jobId: id });
      result.added.push(id);
    }
    return result;
  });
}
