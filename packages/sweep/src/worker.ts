import { hostname } from 'node:os';
import { Queue, Worker, UnrecoverableError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { pingRedis, redisOptions, redactUrl, type ConnectionOptions } from './connection';
import { checkJobData, FatalRunError, type RunJobData } from './job';
import { LockLostError, RunLock } from './lock';
import { DEFAULT_QUEUE } from './queue';
import { RunStore } from './store';
import { isIdle, type RunProgress } from './status';

/** What a worker hands the function that trains one run. */
export interface RunContext {
  jobId: string;
  job: RunJobData;
  /** The run's folder in the store: train there, resuming from its newest checkpoint if it has one. */
  runDir: string;
  /** 1 for the first try, then 2, 3… (a stalled job handed over counts too). */
  attempt: number;
  /** `host:pid` of this worker. */
  worker: string;
  /** Report where the run is (sent at most once a second). */
  progress(p: { iteration: number; iterations?: number; epoch: number; loss: number }): void;
  /** Throws {@link LockLostError} if this worker no longer holds the run: call it every step. */
  checkLock(): void;
}

/** Options of {@link startWorker}. */
export interface WorkerOptions extends ConnectionOptions {
  /** The shared run store's folder. */
  store: string;
  queueName?: string;
  /** Runs trained at once by this process (default 1: one run per GPU or per wasm process). */
  concurrency?: number;
  /**
   * How long a worker that stops answering keeps its runs, in ms (default 30000): BullMQ's job lock and
   * the run lock. After it, the stalled-job check hands the run to another worker. Longer than one step.
   */
  lockDuration?: number;
  /** How often this worker looks for stalled jobs (default: `lockDuration`). */
  stalledInterval?: number;
  /** Times a run may be handed over after its worker vanished before it fails (default 5). */
  maxStalledCount?: number;
  /** Trains one run; resolves to a small JSON summary stored with the finished job. */
  execute(ctx: RunContext): Promise<Record<string, unknown>>;
  /** Whether an error is permanent (fail the run now, no retry). {@link FatalRunError} always is. */
  isFatal?(error: unknown): boolean;
  /** One line per event (default: stderr). */
  log?(line: string): void;
}

/** A started worker. */
export interface SweepWorker {
  readonly name: string;
  /** Whether the queue has nothing waiting, delayed or running (on the worker's own connection). */
  queueIdle(): Promise<boolean>;
  /** Stop taking jobs, wait for the running ones, disconnect. */
  close(): Promise<void>;
}

/**
 * Start a worker: it takes run jobs from the queue, holds each run's lock while it trains it, reports
 * progress, and ends each job completed, failed (fatal errors, or out of attempts) or back in the queue.
 *
 * @example
 * ```ts
 * import { startWorker } from '@residual/sweep';
 * const worker = await startWorker({ url: 'redis://127.0.0.1:6379', store: '/mnt/shared/sweeps',
 *   execute: async (ctx) => { ctx.checkLock(); return { done: true }; } });
 * process.on('SIGTERM', () => void worker.close());
 * ```
 */
export async function startWorker(options: WorkerOptions): Promise<SweepWorker> {
  const store = new RunStore(options.store).ensure();
  await pingRedis(options);
  const connection = redisOptions(options);
  const name = `${hostname()}:${process.pid}`;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const lockDuration = options.lockDuration ?? 30000;
  const locks = new Redis(connection);
  locks.on('error', () => undefined); // reconnects; the run lock's lease decides what an outage means
  const isFatal = (e: unknown) => e instanceof FatalRunError || e instanceof UnrecoverableError || !!options.isFatal?.(e);

  const processor = async (job: Job) => {
    const id = job.id ?? '?';
    let data: RunJobData;
    try {
      data = checkJobData(job.data, id);
    } catch (e) {
      log(`${id}: failed: ${(e as Error).message}`);
      throw new UnrecoverableError((e as Error).message);
    }
    const runDir = store.runDir(data.sweep, data.variant, data.seed);
    const lock = await RunLock.acquire(locks, `residual:run-lock:${id}`, name, { ttlMs: lockDuration });
    const attempt = job.attemptsMade + (job.stalledCounter ?? 0) + 1;
    log(`${id}: started (attempt ${attempt}) in ${runDir}`);
    const t0 = Date.now();
    let first: number | undefined;
    let lastSent = 0;
    const ctx: RunContext = {
      jobId: id,
      job: data,
      runDir,
      attempt,
      worker: name,
      checkLock: () => lock.assertHeld(),
      progress(p) {
        first ??= p.iteration;
        const now = Date.now();
        if (now - lastSent < 1000 && p.iteration !== p.iterations) return;
        lastSent = now;
        const done = p.iteration - first;
        const eta = p.iterations !== undefined && done > 0 ? ((p.iterations - p.iteration) * (now - t0)) / done / 1000 : undefined;
        const progress: RunProgress = { ...p, ...(eta !== undefined ? { etaSeconds: Math.round(eta) } : {}), worker: name, at: now };
        // Not awaited: a slow or restarting Redis must not stall training (the lease bounds the outage).
        job.updateProgress(progress as unknown as object).catch(() => undefined);
      },
    };
    try {
      const result = await options.execute(ctx);
      lock.assertHeld();
      log(`${id}: completed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return result;
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      if (e instanceof LockLostError) {
        log(`${id}: stopped: ${msg}`);
        throw e;
      }
      if (isFatal(e)) {
        log(`${id}: failed: ${msg}`);
        throw new UnrecoverableError(msg);
      }
      log(`${id}: error (will retry while attempts remain): ${msg}`);
      throw e;
    } finally {
      await lock.release();
    }
  };

  const worker = new Worker(options.queueName ?? DEFAULT_QUEUE, processor, {
    connection,
    name,
    concurrency: options.concurrency ?? 1,
    lockDuration,
    stalledInterval: options.stalledInterval ?? lockDuration,
    maxStalledCount: options.maxStalledCount ?? 5,
    autorun: false,
  });
  worker.on('error', (e) => log(`worker ${name}: ${(e as Error).message} (queue ${redactUrl(options.url)})`));
  worker.on('stalled', (jobId) => log(`${jobId}: its worker stopped answering; handed back to the queue`));
  void worker.run();
  await worker.waitUntilReady();
  log(`worker ${name} on ${redactUrl(options.url)} queue ${options.queueName ?? DEFAULT_QUEUE}, store ${store.root}`);
  let queue: Queue | undefined;
  return {
    name,
    queueIdle: () => isIdle((queue ??= new Queue(options.queueName ?? DEFAULT_QUEUE, { connection }))),
    async close() {
      await worker.close();
      await queue?.close();
      locks.disconnect();
    },
  };
}
