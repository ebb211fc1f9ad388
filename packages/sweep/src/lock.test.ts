// RunLock against a real redis-server: exclusive, kept alive by renewals, lost on a takeover or when
// Redis cannot be reached for its lifetime (the holder knows before Redis expires the key).
import { Redis } from 'ioredis';
import { redisOptions } from './connection';
import { LockBusyError, LockLostError, RunLock } from './lock';
import { findRedisServer, redisRequired, startRedisServer, type TestRedis } from './testing';

const haveRedis = findRedisServer() !== null;
if (!haveRedis && redisRequired) throw new Error('RESIDUAL_REQUIRE_REDIS=1 but redis-server is not installed');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

(haveRedis ? describe : describe.skip)('RunLock', () => {
  let redis: TestRedis;
  let a: Redis;
  let b: Redis;
  beforeAll(async () => {
    redis = await startRedisServer();
    a = new Redis(redisOptions({ url: redis.url }));
    b = new Redis(redisOptions({ url: redis.url }));
  });
  afterAll(async () => {
    a?.disconnect();
    b?.disconnect();
    await redis?.stop();
  });

  it('is exclusive and outlives its TTL while renewed; release frees it for the next holder', async () => {
    const lock = await RunLock.acquire(a, 'k1', 'worker-a', { ttlMs: 600 });
    await expect(RunLock.acquire(b, 'k1', 'worker-b', { ttlMs: 600, waitMs: 300 })).rejects.toBeInstanceOf(LockBusyError);
    await sleep(1500); // 2.5 lifetimes
    expect(lock.held).toBe(true);
    expect(() => lock.assertHeld()).not.toThrow();
    expect(await b.get('k1')).toBe('worker-a');
    await lock.release();
    expect(await b.get('k1')).toBeNull();
    const next = await RunLock.acquire(b, 'k1', 'worker-b', { ttlMs: 600, waitMs: 300 });
    expect(await a.get('k1')).toBe('worker-b');
    await next.release();
  });

  it('waits for a holder that goes away', async () => {
    await b.set('k2', 'dead-worker', 'PX', 400);
    const t0 = Date.now();
    const lock = await RunLock.acquire(a, 'k2', 'worker-a', { ttlMs: 1000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    await lock.release();
  });

  it('is lost when another holder took the key, and release leaves the other holder alone', async () => {
    const lock = await RunLock.acquire(a, 'k3', 'worker-a', { ttlMs: 600 });
    await b.set('k3', 'worker-b', 'PX', 10000);
    await sleep(400); // past one renewal
    expect(lock.held).toBe(false);
    expect(() => lock.assertHeld()).toThrow(LockLostError);
    expect(() => lock.assertHeld()).toThrow(/another worker holds it/);
    await lock.release();
    expect(await b.get('k3')).toBe('worker-b');
  });

  it('is lost once Redis has been unreachable for most of its lifetime, before Redis lets anyone else take it', async () => {
    const lock = await RunLock.acquire(a, 'k4', 'worker-a', { ttlMs: 1000 });
    process.kill(redis.pid()!, 'SIGSTOP'); // Redis frozen: every command hangs
    try {
      await sleep(500);
      expect(lock.held).toBe(true);
      await sleep(600); // past 0.9 of the lifetime since the last renewal was sent
      expect(() => lock.assertHeld()).toThrow(/no renewal reached Redis/);
    } finally {
      process.kill(redis.pid()!, 'SIGCONT');
    }
    // Redis expires the key on its own clock; then another worker may take the run.
    const other = await RunLock.acquire(b, 'k4', 'worker-b', { ttlMs: 1000, waitMs: 3000 });
    expect(() => lock.assertHeld()).toThrow(LockLostError);
    expect(await b.get('k4')).toBe('worker-b');
    await lock.release();
    expect(await b.get('k4')).toBe('worker-b');
    await other.release();
  });
});
