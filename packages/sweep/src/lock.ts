import type { Redis } from 'ioredis';

/**
 * The run's lock was lost (expired while Redis was unreachable, or taken over): stop writing its folder.
 *
 * @example
 * ```ts
 * import { LockLostError } from '@residual/sweep';
 * try { ctx.checkLock(); } catch (e) { if (e instanceof LockLostError) console.error('another worker has this run now'); throw e; }
 * ```
 */
export class LockLostError extends Error {
  constructor(key: string, why: string) {
    super(`@residual/sweep: lost the run lock ${key} (${why}); stopping so that two workers never train one run`);
    this.name = 'LockLostError';
  }
}

/**
 * Another worker holds the run's lock (it is still training the run, or died less than a lock lifetime ago).
 * A worker treats it as transient: the job is retried later.
 *
 * @example
 * ```ts
 * import { LockBusyError, RunLock } from '@residual/sweep';
 * await RunLock.acquire(redis, key, 'me', { ttlMs: 30000, waitMs: 0 }).catch((e) => e instanceof LockBusyError);
 * ```
 */
export class LockBusyError extends Error {
  constructor(key: string, waitedMs: number) {
    super(`@residual/sweep: run lock ${key} is held by another worker (waited ${Math.round(waitedMs / 1000)} s); will retry`);
    this.name = 'LockBusyError';
  }
}

// Compare-and-set scripts: only the holder's token extends or deletes the key.
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * A lease on one run, held in Redis while a worker trains it: `SET key token NX PX ttl`, renewed every
 * third of its lifetime. The holder counts the lease as valid until `ttl` after it *sent* the last
 * successful renewal (so before Redis can expire it), and {@link assertHeld} throws once it is not:
 * a worker cut off from Redis stops at its next step, before another worker can take the run over.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RunLock } from '@residual/sweep';
 * const lock = await RunLock.acquire(new Redis(6379), 'residual:run-lock:r.main.seed-0', 'host:123', { ttlMs: 30000 });
 * try { lock.assertHeld(); } finally { await lock.release(); }
 * ```
 */
export class RunLock {
  private validUntil: number;
  private lost: string | null = null;
  private timer: NodeJS.Timeout;
  private renewing = false;

  private constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly token: string,
    private readonly ttlMs: number,
    sentAt: number,
  ) {
    this.validUntil = sentAt + ttlMs * 0.9;
    this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  /** Takes the lock, waiting up to `waitMs` (default two lifetimes) for a holder to finish or expire. */
  static async acquire(redis: Redis, key: string, token: string, options: { ttlMs: number; waitMs?: number }): Promise<RunLock> {
    const waitMs = options.waitMs ?? 2 * options.ttlMs;
    const t0 = Date.now();
    for (;;) {
      const sentAt = Date.now();
      const ok = await redis.set(key, token, 'PX', options.ttlMs, 'NX');
      if (ok === 'OK') return new RunLock(redis, key, token, options.ttlMs, sentAt);
      if (Date.now() - t0 >= waitMs) throw new LockBusyError(key, Date.now() - t0);
      await sleep(Math.min(500, Math.max(50, options.ttlMs / 5)));
    }
  }

  private async renew(): Promise<void> {
    if (this.renewing || this.lost) return;
    this.renewing = true;
    const sentAt = Date.now();
    try {
      const r = await withTimeout(this.redis.eval(RENEW, 1, this.key, this.token, String(this.ttlMs)) as Promise<number>, this.ttlMs);
      if (this.lost) return;
      if (r === 1) this.validUntil = sentAt + this.ttlMs * 0.9;
      else if (r === 0) this.lost = 'another worker holds it, or it expired';
    } catch {
      // Unreachable Redis: the lease runs out at validUntil.
    } finally {
      this.renewing = false;
    }
  }

  /** Whether the lease is still ours. */
  get held(): boolean {
    // An expired lease is lost for good: a renewal stuck in the outage that lands later must not revive it.
    if (!this.lost && Date.now() >= this.validUntil) this.lost = `no renewal reached Redis for ${Math.round(this.ttlMs * 0.9)} ms`;
    return !this.lost;
  }

  /** Throws {@link LockLostError} unless the lease is still ours. */
  assertHeld(): void {
    if (!this.held) throw new LockLostError(this.key, this.lost!);
  }

  /** Stops renewing and deletes the key if it is still ours (gives up after one lifetime when Redis is down). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    if (this.lost === 'released') return;
    this.lost = 'released';
    await withTimeout(this.redis.eval(RELEASE, 1, this.key, this.token).catch(() => 0), this.ttlMs).catch(() => undefined);
  }
}
