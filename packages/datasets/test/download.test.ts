import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { c as tarCreate } from 'tar';
import { CIFAR10, CIFAR100, ChecksumError, downloadFile, progressBar, type ProgressEvent } from '../src';
import { cifarRecords, tempDir } from './helpers';

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

interface Server {
  base: string;
  /** Requests served per path. */
  hits: Map<string, number>;
  ranges: string[];
  /** When set, the next GET of /file sends this many bytes and then kills the connection. */
  cutAfter: number | null;
  files: Map<string, Uint8Array>;
  close: () => Promise<void>;
}

async function serve(): Promise<Server> {
  const state = { ranges: [] as string[], cutAfter: null as number | null, files: new Map<string, Uint8Array>(), hits: new Map<string, number>() };
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    state.hits.set(url, (state.hits.get(url) ?? 0) + 1);
    // Hostile servers: headers never sent; body stalls half way; an HTML page; a body shorter than announced.
    if (url === '/hang') return; // keeps the socket open, says nothing
    if (url === '/stall') {
      res.writeHead(200, { 'Content-Length': 1000 });
      res.write(Buffer.alloc(400, 7));
      return; // never sends the rest
    }
    if (url === '/login.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<html><body>Please sign in</body></html>');
      return;
    }
    if (url === '/short') {
      res.writeHead(200, { 'Content-Length': 1000 });
      res.write(Buffer.alloc(600, 1), () => res.socket?.destroy());
      return;
    }
    if (url === '/flaky' && state.hits.get(url)! <= 2) {
      res.writeHead(503);
      res.end('busy');
      return;
    }
    if (url === '/flaky') {
      res.writeHead(200, { 'Content-Length': 5 });
      res.end('hello');
      return;
    }
    if (url.startsWith('/redirect/')) {
      res.writeHead(302, { Location: `/files/${url.slice('/redirect/'.length)}` });
      res.end();
      return;
    }
    const body = state.files.get(url.replace(/^\/files\//, ''));
    if (!body) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    let start = 0;
    const range = req.headers.range;
    if (range) {
      state.ranges.push(range);
      start = Number(/bytes=(\d+)-/.exec(range)?.[1] ?? 0);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` });
        res.end();
        return;
      }
      res.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'Content-Length': body.length });
    }
    const cut = state.cutAfter;
    if (cut !== null) {
      state.cutAfter = null;
      res.write(body.subarray(start, start + cut), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body.subarray(start));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  });
}

describe('downloadFile against a real HTTP server on 127.0.0.1', () => {
  let server: Server;
  let tmp: ReturnType<typeof tempDir>;
  const payload = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 2654435761) >>> 24);
  beforeAll(async () => {
    server = await serve();
    server.files.set('data.bin', payload);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('downloads through .part, reports progress, and renames once the MD5 matches', async () => {
    const events: ProgressEvent[] = [];
    const dest = join(tmp.dir, 'sub', 'data.bin');
    await downloadFile(`${server.base}/files/data.bin`, dest, { md5: md5(payload), onProgress: (e) => events.push({ ...e }) });
    expect(md5(readFileSync(dest))).toBe(md5(payload));
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(events.length).toBeGreaterThan(0);
    expect(events[events.length - 1]).toEqual({ name: 'data.bin', transferred: payload.length, total: payload.length });
  });

  it('follows redirects', async () => {
    const dest = join(tmp.dir, 'data.bin');
    await downloadFile(`${server.base}/redirect/data.bin`, dest, { md5: md5(payload), onProgress: false });
    expect(statSync(dest).size).toBe(payload.length);
  });

  it('on a wrong checksum: error names the URL, file and both MD5s; .part removed; no final file', async () => {
    const dest = join(tmp.dir, 'data.bin');
    const wrong = '0123456789abcdef0123456789abcdef';
    const err = await downloadFile(`${server.base}/files/data.bin`, dest, { md5: wrong, onProgress: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumError);
    const msg = (err as Error).message;
    expect(msg).toContain(dest);
    expect(msg).toContain(`${server.base}/files/data.bin`);
    expect(msg).toContain(wrong);
    expect(msg).toContain(md5(payload));
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('resumes with a Range request after the connection dies mid-transfer', async () => {
    const dest = join(tmp.dir, 'data.bin');
    server.ranges.length = 0;
    server.cutAfter = 120_000;
    await expect(downloadFile(`${server.base}/files/data.bin`, dest, { md5: md5(payload), onProgress: false, retries: 0 })).rejects.toThrow(
      /data.bin: transfer (ended after|interrupted after|aborted after)/,
    );
    expect(existsSync(dest)).toBe(false);
    const partial = statSync(`${dest}.part`).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(payload.length);
    await downloadFile(`${server.base}/files/data.bin`, dest, { md5: md5(payload), onProgress: false });
    expect(server.ranges).toEqual([`bytes=${partial}-`]);
    expect(md5(readFileSync(dest))).toBe(md5(payload));
  });

  it('resumes after the client aborts mid-transfer (AbortSignal)', async () => {
    const dest = join(tmp.dir, 'data.bin');
    const big = Uint8Array.from({ length: 3_000_000 }, (_, i) => (i * 7919) % 251);
    server.files.set('big.bin', big);
    server.ranges.length = 0;
    const controller = new AbortController();
    const first = downloadFile(`${server.base}/files/big.bin`, dest, {
      md5: md5(big),
      signal: controller.signal,
      onProgress: (e) => {
        if (e.transferred > 100_000) controller.abort();
      },
    });
    await expect(first).rejects.toThrow();
    expect(existsSync(dest)).toBe(false);
    const partial = statSync(`${dest}.part`).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(big.length);
    await downloadFile(`${server.base}/files/big.bin`, dest, { md5: md5(big), onProgress: false });
    expect(server.ranges).toEqual([`bytes=${partial}-`]);
    expect(md5(readFileSync(dest))).toBe(md5(big));
  });

  it('times out a server that never sends headers, naming the URL, after retrying with backoff', async () => {
    const dest = join(tmp.dir, 'h.bin');
    const t0 = Date.now();
    const err = (await downloadFile(`${server.base}/hang`, dest, { onProgress: false, timeoutMs: 300, retries: 2, retryDelayMs: 50 }).catch((e) => e)) as Error;
    expect(err.message).toContain(`${server.base}/hang`);
    expect(err.message).toMatch(/no response within 300 ms/);
    expect(err.message).toMatch(/gave up after 3 attempts/);
    expect(server.hits.get('/hang')).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3 * 300 + 50 + 100);
    expect(existsSync(dest)).toBe(false);
  });

  it('times out a transfer that stalls mid-body and keeps the .part for a later resume', async () => {
    const dest = join(tmp.dir, 's.bin');
    const err = (await downloadFile(`${server.base}/stall`, dest, { onProgress: false, timeoutMs: 300, retries: 0 }).catch((e) => e)) as Error;
    expect(err.message).toMatch(/no data for 300 ms after 400 bytes/);
    expect(err.message).toContain(`${dest}.part`);
    expect(statSync(`${dest}.part`).size).toBe(400);
    expect(existsSync(dest)).toBe(false);
  });

  it('retries HTTP 5xx with backoff and then succeeds', async () => {
    const dest = join(tmp.dir, 'f.txt');
    await downloadFile(`${server.base}/flaky`, dest, { onProgress: false, retries: 3, retryDelayMs: 10 });
    expect(readFileSync(dest, 'utf8')).toBe('hello');
    expect(server.hits.get('/flaky')).toBe(3);
  });

  it('never saves an HTML page, or a body shorter than its Content-Length, under the final name (no checksum given)', async () => {
    const dest = join(tmp.dir, 'data.tar.gz');
    await expect(downloadFile(`${server.base}/login.html`, dest, { onProgress: false })).rejects.toThrow(/sent an HTML page \(Content-Type: text\/html/);
    expect(existsSync(dest)).toBe(false);
    const err = (await downloadFile(`${server.base}/short`, dest, { onProgress: false, retries: 1, retryDelayMs: 10 }).catch((e) => e)) as Error;
    expect(err.message).toMatch(/(ended after|interrupted after|aborted after) \d+/);
    expect(existsSync(dest)).toBe(false);
  });

  it('reports HTTP errors with the URL', async () => {
    await expect(downloadFile(`${server.base}/files/missing.bin`, join(tmp.dir, 'm'), { onProgress: false })).rejects.toThrow(
      /missing.bin: HTTP 404/,
    );
  });

  it('CIFAR10.load downloads from a mirror (option or environment variable), verifies and extracts', async () => {
    const src = join(tmp.dir, 'src');
    mkdirSync(join(src, 'cifar-10-batches-bin'), { recursive: true });
    for (const f of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
      writeFileSync(join(src, 'cifar-10-batches-bin', `${f}.bin`), cifarRecords(2, (n) => [n % 10]));
    }
    const archive = join(tmp.dir, 'archive.tar.gz');
    await tarCreate({ gzip: true, file: archive, cwd: src, portable: true }, ['cifar-10-batches-bin']);
    const bytes = readFileSync(archive);
    server.files.set('mirror/cifar-10-binary.tar.gz', bytes);
    const root = join(tmp.dir, 'root');
    const ds = await CIFAR10.load({ root, split: 'test', download: true, mirror: `${server.base}/files/mirror`, md5: md5(bytes), verifyCounts: false, onProgress: false });
    expect(ds.length).toBe(2);
    expect(existsSync(join(root, 'cifar-10-binary.tar.gz'))).toBe(true);

    const root2 = join(tmp.dir, 'root2');
    process.env.RESIDUAL_CIFAR_MIRROR = `${server.base}/files/mirror/`;
    try {
      const ds2 = await CIFAR10.load({ root: root2, split: 'train', download: true, md5: md5(bytes), verifyCounts: false, onProgress: false });
      expect(ds2.length).toBe(10);
    } finally {
      delete process.env.RESIDUAL_CIFAR_MIRROR;
    }
  });

  it('CIFAR100.load downloads cifar-100-binary.tar.gz from a mirror and reads both label kinds', async () => {
    const src = join(tmp.dir, 'src100');
    mkdirSync(join(src, 'cifar-100-binary'), { recursive: true });
    writeFileSync(join(src, 'cifar-100-binary', 'train.bin'), cifarRecords(3, (n) => [n + 1, n + 50]));
    writeFileSync(join(src, 'cifar-100-binary', 'test.bin'), cifarRecords(1, () => [19, 99]));
    const archive = join(tmp.dir, 'c100.tar.gz');
    await tarCreate({ gzip: true, file: archive, cwd: src, portable: true }, ['cifar-100-binary']);
    const bytes = readFileSync(archive);
    server.files.set('m100/cifar-100-binary.tar.gz', bytes);
    const ds = await CIFAR100.load({ root: join(tmp.dir, 'r100'), download: true, mirror: `${server.base}/files/m100`, md5: md5(bytes), verifyCounts: false, onProgress: false });
    expect(Array.from(ds.fineLabels)).toEqual([50, 51, 52]);
    expect(Array.from(ds.coarseLabels)).toEqual([1, 2, 3]);
  });
});

describe('progressBar', () => {
  it('writes plain periodic lines when not on a TTY, always including the final one', () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const bar = progressBar(stream, 60_000);
    bar({ name: 'f', transferred: 10, total: 100 });
    bar({ name: 'f', transferred: 50, total: 100 });
    bar({ name: 'f', transferred: 100, total: 100 });
    expect(lines).toEqual(['f: 10% 10 B / 100 B\n', 'f: 100% 100 B / 100 B\n']);
  });

  it('redraws one line in place on a TTY', () => {
    const out: string[] = [];
    const stream = { isTTY: true, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    progressBar(stream)({ name: 'f', transferred: 2048, total: 2048 });
    expect(out[0]).toMatch(/^\rf \[#{30}\] 100\.0% 2\.0 KiB \/ 2\.0 KiB\n$/);
  });
});
