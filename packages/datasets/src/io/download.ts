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
}

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

function request(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<http.IncomingMessage> {
  const mod = url.startsWith('https:') ? https : url.startsWith('http:') ? http : null;
  if (!mod) return Promise.reject(new DatasetError(url, 'only http:// and https:// URLs can be downloaded'));
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { headers, signal }, resolve);
    req.on('error', (e) => reject(new DatasetError(url, `request failed: ${e.message}`)));
  });
}

async function partSize(part: string): Promise<number> {
  try {
    return (await stat(part)).size;
  } catch {
    return 0;
  }
}

/**
 * Download `url` to `dest` through `<dest>.part`: follows redirects, resumes a partial `.part` with an
 * HTTP Range request, reports progress, and renames the `.part` to `dest` only once the MD5 (if given)
 * matches. On a checksum mismatch the `.part` file is deleted (a resume could never repair it) and a
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
  const onProgress = options.onProgress === false ? undefined : (options.onProgress ?? progressBar());
  await mkdir(dirname(dest), { recursive: true });
  let offset = options.resume === false ? 0 : await partSize(part);
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
    const res = await request(current, headers, options.signal);
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
      break;
    }
    if (status !== 200 && status !== 206) {
      res.resume();
      throw new DatasetError(current, `HTTP ${status} ${res.statusMessage ?? ''}`.trim());
    }
    if (status === 200) offset = 0; // server ignored the Range: start over
    const length = Number(res.headers['content-length']);
    const total = Number.isFinite(length) ? offset + length : null;
    const out = createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' });
    let transferred = offset;
    const name = basename(dest);
    try {
      await new Promise<void>((resolve, reject) => {
        res.on('data', (chunk: Buffer) => {
          transferred += chunk.length;
          onProgress?.({ name, transferred, total });
        });
        res.on('error', (e) => reject(new DatasetError(current, `transfer interrupted after ${transferred} bytes: ${e.message}`)));
        res.on('aborted', () => reject(new DatasetError(current, `transfer aborted after ${transferred} bytes`)));
        out.on('error', (e) => reject(new DatasetError(part, `cannot write: ${e.message}`)));
        out.on('finish', resolve);
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
      throw new DatasetError(current, `transfer ended after ${transferred} of ${total} bytes; run again to resume from ${part}`);
    }
    break;
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
