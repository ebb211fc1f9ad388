// startWorker and submitRuns on a real redis-server, with a stand-in training function (the real one,
// `residual worker`, is tested in @residual/cli): idempotent submission, fatal vs transient errors, and
// a worker cut off from Redis that stops before another worker takes its run over.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FatalRunError } from './job';
import { LockLostError } from './lock';
import { submitRuns } from './queue';
import { sweepStatus, queueIdle, type RunStatus } from './status';
import { findRedisServer, redisRequired, startRedisServer, type TestRedis } from './testing';
import { startWorker, type RunContext, type SweepWorker } from './worker';

const haveRedis = findRedisServer() !== null;
if (!haveRedis && redisRequired) throw new Error('RESIDUAL_REQUIRE_REDIS=1 but redis-server is not installed');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(f: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await f())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

(haveRedis ? describe : describe.skip)('sweep workers on a real Redis', () => {
  let redis: TestRedis;
  let store: string;
  const workers: SweepWorker[] = [];
  const silent = () => undefined;
  beforeEach(async () => {
    redis = await startRedisServer({ password: 'pw' });
    store = mkdtempSync(join(tmpdir(), 'residual-sweep-store-'));
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    await redis.stop();
    rmSync(store, { recursive: true, force: true });
  });
  const byId = async (id: string) => (await sweepStatus({ url: redis.url })).find((r) => r.id === id) as RunStatus;

  it('adds each run once, however often the sweep is submitted', async () => {
    const runs = [{ variant: 'a', seed: 0 }, { variant: 'a', seed: 1 }, { variant: 'b', seed: 0 }];
    const one = { url: redis.url, sweep: 'r-000000000001', recipe: { name: 'r' }, runs };
    expect((await submitRuns(one)).added).toEqual(['r-000000000001.a.seed-0', 'r-000000000001.a.seed-1', 'r-000000000001.b.seed-0']);
    const again = await submitRuns({ ...one, runs: [...runs, { variant: 'b', seed: 1 }] });
    expect(again.added).toEqual(['r-000000000001.b.seed-1']);
    expect(again.existing).toHaveLength(3);
    expect((await sweepStatus({ url: redis.url, sweep: 'r-000000000001' })).map((r) => r.state)).toEqual(['waiting', 'waiting', 'waiting', 'waiting']);
    expect(await sweepStatus({ url: redis.url, sweep: 'other-000000000001' })).toEqual([]);
  });

  it('fails a run at once on a fatal error, retries a transient one, and hands every run its own folder', async () => {
    const seen: RunContext[] = [];
    let transientLeft = 1;
    workers.push(
      await startWorker({
        url: redis.url, store, log: silent,
        execute: async (ctx) => {
          seen.push(ctx);
          if (ctx.job.variant === 'bad') throw new FatalRunError('the recipe is bad');
          if (ctx.job.variant === 'nan') throw new RangeError('loss is NaN');
          if (ctx.job.variant === 'flaky' && transientLeft-- > 0) throw new Error('ECONNRESET reading the dataset');
          ctx.progress({ iteration: 10, iterations: 10, epoch: 1, loss: 0.5 });
          return { top1Error: 0.25 };
        },
        isFatal: (e) => e instanceof RangeError,
      }),
    );
    const sweep = 's-000000000002';
    await submitRuns({ url: redis.url, sweep, recipe: { name: 's' }, runs: ['ok', 'bad', 'nan', 'flaky'].map((variant) => ({ variant, seed: 0 })), attempts: 3 });
    await until(async () => queueIdle({ url: redis.url }), 30000, 'the queue to drain');
    const st = await sweepStatus({ url: redis.url, sweep });
    const get = (v: string) => st.find((r) => r.variant === v)!;
    expect(get('ok')).toMatchObject({ state: 'completed', result: { top1Error: 0.25 } });
    expect(get('ok').progress).toMatchObject({ iteration: 10, iterations: 10, worker: workers[0]!.name });
    expect(get('bad')).toMatchObject({ state: 'failed', attemptsMade: 1, error: 'the recipe is bad' });
    expect(get('nan')).toMatchObject({ state: 'failed', attemptsMade: 1, error: 'loss is NaN' });
    expect(get('flaky').state).toBe('completed');
    expect(seen.filter((c) => c.job.variant === 'flaky').map((c) => c.attempt)).toEqual([1, 2]);
    expect(seen.find((c) => c.job.variant === 'ok')!.runDir).toBe(join(store, sweep, 'ok', 'seed-0'));
  });

  it('a worker cut off from Redis stops its run before another worker resumes it: never two at once', async () => {
    const spans: Array<{ worker: string; start: number; end: number; how: string }> = [];
    const execute = async (ctx: RunContext) => {
      const span = { worker: ctx.worker, start: Date.now(), end: 0, how: 'done' };
      spans.push(span);
      try {
        for (let i = 0; i < 40; i++) {
          ctx.checkLock(); // as residual worker does before each step's checkpoint
          await sleep(50);
        }
        return {};
      } catch (e) {
        span.how = e instanceof LockLostError ? 'lost' : String(e);
        throw e;
      } finally {
        span.end = Date.now();
      }
    };
    const opts = { url: redis.url, store, log: silent, execute, lockDuration: 1000, stalledInterval: 500 };
    workers.push(await startWorker(opts));
    const id = 'c-000000000003.main.seed-0';
    await submitRuns({ url: redis.url, sweep: 'c-000000000003', recipe: { name: 'c' }, runs: [{ variant: null, seed: 0 }] });
    await until(async () => spans.length === 1, 10000, 'the run to start');
    await sleep(300);
    process.kill(redis.pid()!, 'SIGSTOP'); // the worker's Redis goes silent
    await sleep(1500);
    process.kill(redis.pid()!, 'SIGCONT');
    expect(spans[0]!.how).toBe('lost');
    workers.push(await startWorker(opts)); // a second machine
    await until(async () => (await byId(id))?.state === 'completed', 20000, 'the run to complete');
    expect(spans.length).toBeGreaterThanOrEqual(2);
    expect(spans.at(-1)!.how).toBe('done');
    const sorted = [...spans].sort((p, q) => p.start - q.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end);
  });
});
