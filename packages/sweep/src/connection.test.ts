import { join } from 'node:path';
import { pingRedis, redactUrl, redisOptions } from './connection';
import { findRedisServer, redisRequired, startRedisServer } from './testing';

describe('redisOptions', () => {
  it('reads host, port, database, user and password (percent-decoded)', () => {
    const o = redisOptions({ url: 'redis://alice:p%40ss%3Aw0rd@10.0.0.5:6380/3' });
    expect(o).toMatchObject({ host: '10.0.0.5', port: 6380, db: 3, username: 'alice', password: 'p@ss:w0rd', maxRetriesPerRequest: null });
    expect(o.tls).toBeUndefined();
    expect(redisOptions({ url: 'redis://localhost' })).toMatchObject({ host: 'localhost', port: 6379, db: 0 });
    expect(redisOptions({ url: 'redis://[::1]:7000' })).toMatchObject({ host: '::1', port: 7000 });
  });

  it('turns on TLS for rediss://, with a CA file when given', () => {
    expect(redisOptions({ url: 'rediss://redis.lan:6380' }).tls).toEqual({ servername: 'redis.lan' });
    const ca = join(__dirname, '..', 'fixtures', 'tls', 'server-cert.pem');
    const o = redisOptions({ url: 'rediss://127.0.0.1:6380', tlsCa: ca });
    expect(Buffer.isBuffer(o.tls!.ca)).toBe(true);
    expect(o.tls!.servername).toBeUndefined(); // no SNI for an IP address
  });

  it.each([
    ['http://host:6379', /must start with redis:\/\/ or rediss:\/\//],
    ['not a url', /is not a URL/],
    ['redis://host:6379/zero', /the path must be a database number/],
  ])('refuses %s', (url, why) => {
    expect(() => redisOptions({ url })).toThrow(why);
  });

  it('names an unreadable CA file, and a CA file without TLS', () => {
    expect(() => redisOptions({ url: 'rediss://h', tlsCa: '/nonexistent/ca.pem' })).toThrow(/cannot read the TLS CA file \/nonexistent\/ca\.pem/);
    expect(() => redisOptions({ url: 'redis://h', tlsCa: __filename })).toThrow(/not rediss:\/\//);
  });

  it('never shows a password', () => {
    expect(redactUrl('redis://:hunter2@h:1')).toBe('redis://:***@h:1');
    expect(redactUrl('rediss://bob:hunter2@h:1/2')).toBe('rediss://bob:***@h:1/2');
    expect(() => redisOptions({ url: 'http://:hunter2@h' })).toThrow(/^(?!.*hunter2)/);
  });
});

const haveRedis = findRedisServer() !== null;
if (!haveRedis && redisRequired) throw new Error('RESIDUAL_REQUIRE_REDIS=1 but redis-server is not installed');

(haveRedis ? describe : describe.skip)('pingRedis against a real redis-server', () => {
  const tls = join(__dirname, '..', 'fixtures', 'tls');

  it('with a password: the right one works; a wrong or missing one fails with Redis\' reason, password hidden', async () => {
    const redis = await startRedisServer({ password: 's3cret' });
    try {
      await expect(pingRedis({ url: redis.url })).resolves.toMatch(/^\d+\.\d+/);
      const wrong = `redis://:hunter2@127.0.0.1:${redis.port}`;
      const err = (await pingRedis({ url: wrong }).catch((e) => e)) as Error;
      expect(err.message).toMatch(/WRONGPASS|invalid password/);
      expect(err.message).not.toContain('hunter2');
      await expect(pingRedis({ url: `redis://127.0.0.1:${redis.port}` })).rejects.toThrow(/NOAUTH/);
    } finally {
      await redis.stop();
    }
  });

  it('over TLS: trusts the server with its CA, refuses it without or with another CA', async () => {
    const redis = await startRedisServer({ password: 'tls-pass', tls: { cert: join(tls, 'server-cert.pem'), key: join(tls, 'test-only-server-key.pem') } });
    try {
      expect(redis.url.startsWith('rediss://')).toBe(true);
      await expect(pingRedis({ url: redis.url, tlsCa: join(tls, 'server-cert.pem') })).resolves.toMatch(/^\d/);
      await expect(pingRedis({ url: redis.url })).rejects.toThrow(/self.signed certificate/);
      await expect(pingRedis({ url: redis.url, tlsCa: join(tls, 'unrelated-ca.pem') })).rejects.toThrow(/certificate/);
      // Plain text to a TLS port does not get through.
      await expect(pingRedis({ url: redis.url.replace('rediss:', 'redis:') }, 3000)).rejects.toThrow(/cannot use Redis/);
    } finally {
      await redis.stop();
    }
  });

  it('names the address it could not reach', async () => {
    const redis = await startRedisServer();
    const port = redis.port;
    await redis.stop();
    await expect(pingRedis({ url: `redis://127.0.0.1:${port}` })).rejects.toThrow(new RegExp(`cannot use Redis at redis://127.0.0.1:${port}.*ECONNREFUSED`));
  });
});
