import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { basename, dirname } from 'node:path';
import { ChecksumError, DatasetError } from '../errors';
import { progressBar, type ProgressCallback } from './progress';

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /** Expected MD5 (hex). When given, the file is renamed into place only after it matches. */
  md5?: string;
  /** Progress sink. Default: {@link progressBar} on stderr; `false` for silence. */
  onProgress?: ProgressCallback | false;
  /** Resume from an existing `<dest>.part` with an HTTP Range request. Default `true`. */
  resume?: boolean;
  /** Maximum redirects to follow. Default 5. */
  maxRedirects?: number;
  /** Abort the transfer (the `.part` file stays, so a later call resumes). */
  signal?: AbortSignal;
  /**
   * Give up on a request when the server sends no headers, or no data, for this long (ms). Default
   * 30 000. A stalled server otherwise hangs the download forever.
   */
  timeoutMs?: number;
  /** Retries after a transient failure (timeout, dropped connection, HTTP 5xx), each resuming the `.part`. Default 3. */
  retries?: number;
  /** Wait before the first retry (ms), doubled for each next one. Default 1000. */
  retryDelayMs?: number;
}

/** A failure worth retrying: the same request may well succeed a moment later. */
class TransientError extends DatasetError {}

/**
 * MD5 of a file, streamed.
 *
 * @example
 * ```ts
 * await md5File('cifar-10-binary.tar.gz'); // 'c32a1d4ab5d03f1284b67883e8d87530'
 * ```
 */
export async function md5File(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function request(url: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<http.IncomingMessage> {
  const mod = url.startsWith('https:') ? https : url.startsWith('http:') ? http : null;
  if (!mod) return Promise.reject(new DatasetError(url, 'only http:// and https:// URLs can be downloaded'));
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { headers, signal }, (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    // Until the headers arrive; the body has its own idle timer.
    const timer = setTimeout(() => {
      req.destroy();
      reject(new TransientError(url, `no response within ${timeoutMs} ms (connect and headers timeout)`));
    }, timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      if (signal?.aborted) reject(new DatasetError(url, `download aborted: ${e.message}`));
      else reject(new TransientError(url, `request failed: ${e.message}`));
    });
  });
}

async function partSize(part: string): Promise<number> {
  try {
    return (await stat(part)).size;
  } catch {
    return 0;
  }
}

/** One request (and its redirects) appending to `<dest>.part`. */
async function transfer(url: string, dest: string, options: DownloadOptions, fresh: boolean): Promise<void> {
  const part = `${dest}.part`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const onProgress = options.onProgress === false ? undefined : (options.onProgress ?? progressBar());
  let offset = fresh ? 0 : await partSize(part);
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
    const res = await request(current, headers, timeoutMs, options.signal);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (redirects >= (options.maxRedirects ?? 5)) throw new DatasetError(url, `too many redirects (last: ${current})`);
      current = new URL(res.headers.location, current).toString();
      continue;
    }
    if (status === 416 && offset > 0) {
      // The .part already holds the whole file (or more): verify it as is.
      res.resume();
      return;
    }
    if (status !== 200 && status !== 206) {
      res.resume();
      const problem = `HTTP ${status} ${res.statusMessage ?? ''}`.trim();
      throw status >= 500 ? new TransientError(current, problem) : new DatasetError(current, problem);
    }
    // A login, captive-portal or error page served with status 200 is not the file.
    const type = String(res.headers['content-type'] ?? '');
    if (/^text\/html/i.test(type) && !/\.html?$/i.test(dest)) {
      res.resume();
      throw new DatasetError(current, `the server sent an HTML page (Content-Type: ${type}), not the file; a login or error page? Nothing was saved as ${dest}`);
    }
    if (status === 200) offset = 0; // server ignored the Range: start over
    const length = Number(res.headers['content-length']);
    const total = res.headers['content-length'] !== undefined && Number.isFinite(length) ? offset + length : null;
    const out = createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' });
    let transferred = offset;
    const name = basename(dest);
    try {
      await new Promise<void>((resolve, reject) => {
        // A server that stops sending mid-body would otherwise hold the download forever.
        let idle = setTimeout(onIdle, timeoutMs);
        function onIdle() {
          // Settle first: destroying the response emits 'aborted', which must not win.
          reject(new TransientError(current, `no data for ${timeoutMs} ms after ${transferred} bytes (stalled transfer)`));
          res.destroy();
        }
        res.on('data', (chunk: Buffer) => {
          clearTimeout(idle);
          idle = setTimeout(onIdle, timeoutMs);
          transferred += chunk.length;
          onProgress?.({ name, transferred, total });
        });
        const settle = (f: () => void) => {
          clearTimeout(idle);
          f();
        };
        res.on('error', (e) => settle(() => reject(new TransientError(current, `transfer interrupted after ${transferred} bytes: ${e.message}`))));
        res.on('aborted', () => settle(() => reject(new TransientError(current, `transfer aborted after ${transferred} bytes`))));
        out.on('error', (e) => settle(() => reject(new DatasetError(part, `cannot write: ${e.message}`))));
        out.on('finish', () => settle(resolve));
        res.pipe(out);
      });
    } finally {
      // Flush what arrived before settling, so the .part size is final when a caller resumes.
      res.unpipe(out);
      await new Promise<void>((resolve) => {
        if (out.closed) return resolve();
        out.once('close', () => resolve());
        out.end();
      });
    }
    if (total !== null && transferred < total) {
      throw new TransientError(current, `transfer ended after ${transferred} of ${total} bytes; run again to resume from ${part}`);
    }
    if (total !== null && transferred > total) {
      throw new DatasetError(current, `received ${transferred} bytes, more than the ${total} announced; ${part} is not trustworthy`);
    }
    return;
  }
}

/**
 * Download `url` to `dest` through `<dest>.part`: follows redirects, resumes a partial `.part` with an
 * HTTP Range request, reports progress, times out a server that sends nothing (`timeoutMs`), retries
 * transient failures with backoff (`retries`), refuses an HTML page where a file was expected and a
 * body shorter than its Content-Length, and renames the `.part` to `dest` only once it is complete and
 * the MD5 (if given) matches. On a checksum mismatch the `.part` file is deleted (a resume could never repair it) and a
 * {@link ChecksumError} naming the URL, the file and both digests is thrown; `dest` is never created.
 *
 * @example
 * ```ts
 * await downloadFile('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', '/data/cifar-10-binary.tar.gz',
 *   { md5: 'c32a1d4ab5d03f1284b67883e8d87530' });
 * ```
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<string> {
  const part = `${dest}.part`;
  await mkdir(dirname(dest), { recursive: true });
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      await transfer(url, dest, options, attempt === 0 && options.resume === false);
      break;
    } catch (e) {
      if (!(e instanceof TransientError) || options.signal?.aborted) throw e;
      if (attempt >= retries) {
        const kept = (await partSize(part)) > 0 ? `; the ${await partSize(part)} bytes received are kept in ${part}, and a later run resumes from there` : '';
        throw new DatasetError(url, `${e.message.replace(`${e.file}: `, '')} (gave up after ${attempt + 1} attempt${attempt ? 's' : ''})${kept}`);
      }
      await new Promise((r) => setTimeout(r, (options.retryDelayMs ?? 1000) * 2 ** attempt));
    }
  }
  if (options.md5) {
    const actual = await md5File(part);
    if (actual !== options.md5.toLowerCase()) {
      await unlink(part).catch(() => undefined);
      throw new ChecksumError(url, dest, options.md5.toLowerCase(), actual);
    }
  }
  await rename(part, dest);
  return dest;
}
