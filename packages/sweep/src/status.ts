import type { JobType, Queue } from 'bullmq';
import type { ConnectionOptions } from './connection';
import { withQueue } from './queue';

/** Where a running job is, as its worker last reported. */
export interface RunProgress {
  iteration: number;
  iterations?: number;
  epoch: number;
  loss: number;
  /** Seconds left at this attempt's pace. */
  etaSeconds?: number;
  /** `host:pid` of the worker training it. */
  worker: string;
  /** When the worker sent this (ms since the epoch). */
  at: number;
}

/** One run of a sweep as the queue knows it. */
export interface RunStatus {
  id: string;
  sweep: string;
  variant: string | null;
  seed: number;
  state: string;
  /** Attempts that ended in an error (retries), and stalls (a worker that vanished). */
  attemptsMade: number;
  progress?: RunProgress;
  /** The failure's message, for failed runs (and the last error of a run being retried). */
  error?: string;
  result?: Record<string, unknown>;
}

const TYPES: JobType[] = ['active', 'waiting', 'delayed', 'prioritized', 'paused', 'waiting-children', 'completed', 'failed'];

/**
 * Every run in the queue, or those of one sweep, with state, progress and worker.
 *
 * @example
 * ```ts
 * import { sweepStatus } from '@residual/sweep';
 * for (const r of await sweepStatus({ url: 'redis://127.0.0.1:6379' })) console.log(r.id, r.state, r.progress?.iteration);
 * ```
 */
export async function sweepStatus(options: ConnectionOptions & { queueName?: string; sweep?: string }): Promise<RunStatus[]> {
  return withQueue(options, async (queue) => {
    const out: RunStatus[] = [];
    for (const type of TYPES) {
      for (const job of await queue.getJobs([type], 0, -1, true)) {
        if (!job?.id || !job.data || (options.sweep && job.data.sweep !== options.sweep)) continue;
        const p = job.progress as unknown;
        out.push({
          id: job.id,
          sweep: job.data.sweep,
          variant: job.data.variant ?? null,
          seed: job.data.seed,
          state: type === 'prioritized' || type === 'paused' || type === 'waiting-children' ? 'waiting' : type,
          attemptsMade: job.attemptsMade + (job.stalledCounter ?? 0),
          ...(p && typeof p === 'object' ? { progress: p as RunProgress } : {}),
          ...(job.failedReason ? { error: job.failedReason } : {}),
          ...(type === 'completed' && job.returnvalue ? { result: job.returnvalue as Record<string, unknown> } : {}),
        });
      }
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  });
}

/**
 * Whether the queue has no run waiting, delayed or running (finished and failed ones do not count).
 *
 * @example
 * ```ts
 * import { queueIdle } from '@residual/sweep';
 * if (await queueIdle({ url: 'redis://127.0.0.1:6379' })) console.log('the sweep is done');
 * ```
 */
export async function queueIdle(options: ConnectionOptions & { queueName?: string }): Promise<boolean> {
  return withQueue(options, isIdle);
}

/** {@link queueIdle} on an open queue (a worker keeps one open rather than connecting every poll). @internal */
export async function isIdle(queue: Queue): Promise<boolean> {
  const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children');
  return Object.values(c).every((n) => n === 0);
}
