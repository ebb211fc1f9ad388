// A real redis-server for tests: started on 127.0.0.1 on a free port, in its own folder, stopped and
// restarted on demand (with its append-only file, a restart keeps every queue and job).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The redis-server binary on PATH (or $REDIS_SERVER), or null when there is none. */
export function findRedisServer(): string | null {
  const wanted = process.env.REDIS_SERVER ?? 'redis-server';
  const r = spawnSync(wanted, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? wanted : null;
}

/** Whether tests must have redis-server (CI installs it and sets RESIDUAL_REQUIRE_REDIS=1). */
export const redisRequired = process.env.RESIDUAL_REQUIRE_REDIS === '1';

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Options of {@link startRedisServer}. */
export interface TestRedisOptions {
  password?: string;
  /** Append-only file persistence, fsynced on every write (default true). */
  appendOnly?: boolean;
  /** TLS only: PEM certificate and key of the server (clients are not asked for certificates). */
  tls?: { cert: string; key: string };
}

/** A running test Redis. */
export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  pid(): number | undefined;
  /** SHUTDOWN-like stop (SIGTERM: Redis flushes its append-only file), then start again on the same port and folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

// Redis logs this line once it listens (its log goes to stdout here): no client polls a port that is not open yet.
async function waitForReady(child: ChildProcess, log: () => string): Promise<void> {
  const t0 = Date.now();
  while (!/Ready to accept connections/.test(log())) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${log()}`);
    if (Date.now() - t0 > 15000) throw new Error(`redis-server never became ready: ${log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Start redis-server for a test.
 *
 * @example
 * ```ts
 * import { startRedisServer } from '@residual/sweep/testing';
 * const redis = await startRedisServer({ password: 's3cret' });
 * // … redis.url is redis://:s3cret@127.0.0.1:<port>
 * await redis.stop();
 * ```
 */
export async function startRedisServer(options: TestRedisOptions = {}): Promise<TestRedis> {
  const bin = findRedisServer();
  if (!bin) throw new Error('redis-server is not installed (Debian: apt-get install redis-server)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'residual-redis-'));
  const args = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--logfile', '', '--daemonize', 'no'];
  args.push('--appendonly', options.appendOnly === false ? 'no' : 'yes', '--appendfsync', 'always');
  if (options.password) args.push('--requirepass', options.password);
  if (options.tls) args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-auth-clients', 'no');
  else args.push('--port', String(port));
  let child: ChildProcess;
  let log = '';
  const start = async () => {
    log = '';
    child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => void (log = (log + d.toString()).slice(-4000)));
    child.stderr!.on('data', (d: Buffer) => void (log = (log + d.toString()).slice(-4000)));
    await waitForReady(child, () => log);
  };
  const stopChild = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    port,
    dir,
    pid: () => child.pid,
    async restart() {
      await stopChild();
      if (!existsSync(dir)) throw new Error(`${dir} vanished`);
      await start();
    },
    async stop() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
