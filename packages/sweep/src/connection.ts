import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';

/** How to reach Redis. */
export interface ConnectionOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…` for TLS; a user name goes before the colon (Redis 6 ACLs). */
  url: string;
  /** PEM file of the certificate authority that signed a `rediss://` server's certificate (default: the system's). */
  tlsCa?: string;
}

/**
 * The URL with its password replaced by `***`, for messages and logs.
 *
 * @example
 * ```ts
 * import { redactUrl } from '@residual/sweep';
 * redactUrl('redis://:s3cret@10.0.0.5:6379'); // 'redis://:***@10.0.0.5:6379'
 * ```
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * ioredis options for a Redis URL, checked: only `redis:` and `rediss:` (TLS), a host, a port, a
 * numeric database. BullMQ needs `maxRetriesPerRequest: null` (commands wait for a reconnect instead of
 * failing, so a restarting Redis pauses workers rather than failing their jobs).
 *
 * @example
 * ```ts
 * import { redisOptions } from '@residual/sweep';
 * const opts = redisOptions({ url: 'rediss://:secret@redis.lan:6380/0', tlsCa: '/etc/ssl/lan-ca.pem' });
 * ```
 */
export function redisOptions(options: ConnectionOptions): RedisOptions {
  let u: URL;
  try {
    u = new URL(options.url);
  } catch {
    throw new Error(`@residual/sweep: ${JSON.stringify(redactUrl(options.url))} is not a URL; expected redis://host:port or rediss://host:port`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`@residual/sweep: queue URL ${redactUrl(options.url)} must start with redis:// or rediss:// (TLS), not ${u.protocol}//`);
  }
  if (!u.hostname) throw new Error(`@residual/sweep: queue URL ${redactUrl(options.url)} has no host`);
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText && !/^\d+$/.test(dbText)) throw new Error(`@residual/sweep: queue URL ${redactUrl(options.url)}: the path must be a database number, got /${dbText}`);
  const opts: RedisOptions = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db: dbText ? Number(dbText) : 0,
    maxRetriesPerRequest: null,
    // Reconnect for ever, backing off to 2 s: a Redis restart is waited out.
    retryStrategy: (times: number) => Math.min(times * 100, 2000),
  };
  if (u.username) opts.username = decodeURIComponent(u.username);
  if (u.password) opts.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') {
    let ca: Buffer | undefined;
    if (options.tlsCa) {
      try {
        ca = readFileSync(options.tlsCa);
      } catch (e) {
        throw new Error(`@residual/sweep: cannot read the TLS CA file ${options.tlsCa}: ${(e as Error).message}`);
      }
    }
    // SNI takes a host name only (an IP there is deprecated in Node); the certificate is checked either way.
    opts.tls = { ...(isIP(opts.host!) ? {} : { servername: opts.host }), ...(ca ? { ca } : {}) };
  } else if (options.tlsCa) {
    throw new Error(`@residual/sweep: a TLS CA file was given but the queue URL ${redactUrl(options.url)} is not rediss://`);
  }
  return opts;
}

/**
 * Connects once and sends PING, so that a wrong host, password or certificate fails now with Redis'
 * own reason, instead of a client that retries for ever in silence. Resolves to the server's version.
 *
 * @example
 * ```ts
 * import { pingRedis } from '@residual/sweep';
 * await pingRedis({ url: 'redis://127.0.0.1:6379' }); // '7.0.15'
 * ```
 */
export async function pingRedis(options: ConnectionOptions, timeoutMs = 10000): Promise<string> {
  const client = new Redis({ ...redisOptions(options), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, disconnectTimeout: 200 });
  let lastError: Error | undefined;
  client.on('error', (e: Error) => (lastError = e));
  try {
    await client.connect();
    await client.ping();
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch (e) {
    const why = (lastError ?? (e as Error)).message;
    throw new Error(`@residual/sweep: cannot use Redis at ${redactUrl(options.url)}: ${why}`);
  } finally {
    client.disconnect();
  }
}
