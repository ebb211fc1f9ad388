// Downloading published weights once, verifying them and keeping them in a cache directory
// (torch.hub's load_state_dict_from_url, for Node and browsers).
import { nodeBuiltin } from '@residual/tensor';
import type { PretrainedWeights } from './types';

/** Options of {@link fetchWeights} (and of `createModel(name, { weights })`). */
export interface FetchWeightsOptions {
  /** Where downloaded files are kept. @defaultValue {@link weightsCacheDir}() */
  cacheDir?: string;
  /**
   * Report progress: `true` prints a line and, on a terminal, a progress bar to stderr; a function is
   * called with the bytes received so far and the total (0 when the server does not say).
   * @defaultValue true
   */
  progress?: boolean | ((received: number, total: number) => void);
  /**
   * A base URL to download from instead of the weights' own host, keeping the file name (an internal
   * mirror). @defaultValue the `RESIDUAL_WEIGHTS_MIRROR` environment variable
   */
  mirror?: string;
}

/** What {@link fetchWeights} returns. */
export interface FetchedWeights {
  bytes: Uint8Array;
  /** The cache file (Node), or `undefined` in a browser. */
  path?: string;
  /** Whether the bytes came from the cache rather than the network. */
  cached: boolean;
}

const env = (name: string): string | undefined =>
  typeof process !== 'undefined' && process.env ? process.env[name] || undefined : undefined;

const inNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node;

/**
 * The directory downloaded weights are kept in: `$RESIDUAL_HOME/weights`, else
 * `$XDG_CACHE_HOME/residual/weights`, else `~/.cache/residual/weights` (as torch.hub's `TORCH_HOME`).
 *
 * @example
 * ```ts
 * import { weightsCacheDir } from '@residual/zoo';
 * weightsCacheDir(); // '/home/me/.cache/residual/weights'
 * ```
 */
export function weightsCacheDir(): string {
  const { join } = nodeBuiltin('node:path', 'weightsCacheDir');
  const home = env('RESIDUAL_HOME');
  if (home) return join(home, 'weights');
  const xdg = env('XDG_CACHE_HOME');
  return join(xdg ?? join(nodeBuiltin('node:os', 'weightsCacheDir').homedir(), '.cache'), 'residual', 'weights');
}

function fileName(url: string): string {
  const name = new URL(url).pathname.split('/').pop();
  if (!name) throw new Error(`${url}: the URL names no file`);
  return name;
}

function hex(buf: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(buf instanceof Uint8Array ? buf : new Uint8Array(buf)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

/** A progress reporter for stderr: one line always, a bar redrawn in place on a terminal. */
function stderrProgress(url: string, dest: string | undefined): (received: number, total: number) => void {
  const err = typeof process !== 'undefined' ? process.stderr : undefined;
  if (!err) return () => {};
  err.write(`Downloading ${url}${dest ? ` to ${dest}` : ''}\n`);
  if (!err.isTTY) return () => {};
  let last = -1;
  return (received, total) => {
    const pct = total ? Math.floor((100 * received) / total) : -1;
    if (pct === last && received !== total) return;
    last = pct;
    const width = 30;
    const bar = total ? '█'.repeat(Math.round((width * received) / total)).padEnd(width, '·') : '';
    err.write(`\r${bar} ${total ? `${pct}% ` : ''}${mb(received)}${total ? `/${mb(total)}` : ''} MB`);
    if (total && received >= total) err.write('\n');
  };
}

async function download(
  url: string,
  onChunk: (chunk: Uint8Array) => void | Promise<void>,
  report: (received: number, total: number) => void,
): Promise<number> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot download ${url} (${cause?.code ?? cause?.message ?? (e as Error).message})`);
  }
  if (!res.ok || !res.body) throw new Error(`cannot download ${url} (HTTP ${res.status} ${res.statusText})`);
  const total = Number(res.headers.get('content-length') ?? 0) || 0;
  let received = 0;
  const reader = res.body.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      throw new Error(`download of ${url} broke off after ${received} bytes (${cause?.code ?? (e as Error).message})`);
    }
    if (chunk.done) break;
    received += chunk.value.byteLength;
    try {
      await onChunk(chunk.value);
    } catch (e) {
      await reader.cancel().catch(() => {});
      throw e; // a write error (ENOSPC) keeps its code
    }
    report(received, total);
  }
  if (total && received !== total) {
    throw new Error(`download of ${url} ended after ${received} of ${total} bytes`);
  }
  return received;
}

function checkPrefix(url: string, digest: string, prefix: string, what: string): void {
  if (!digest.startsWith(prefix.toLowerCase())) {
    throw new Error(`${what}: SHA-256 ${digest} does not start with ${prefix} as ${fileName(url)} should (corrupt or not the published file)`);
  }
}

/**
 * The bytes of a published weight set: from the cache when a verified copy is there, else downloaded
 * once (with progress), checked against its SHA-256 prefix and written to the cache atomically (a
 * crash or a full disk never leaves a partial file under the final name). In a browser the download
 * is kept in memory only (the HTTP cache keeps the file). Offline and not cached, the error names the
 * file to put in the cache.
 *
 * @example
 * ```ts
 * import { fetchWeights, getModelCard } from '@residual/zoo';
 * const w = getModelCard('resnet50').weights!.find((x) => x.tag === 'IMAGENET1K_V2')!;
 * const { bytes, path } = await fetchWeights(w); // ~/.cache/residual/weights/resnet50-11ad3fa6.pth
 * ```
 */
export async function fetchWeights(weights: PretrainedWeights, options: FetchWeightsOptions = {}): Promise<FetchedWeights> {
  const mirror = options.mirror ?? env('RESIDUAL_WEIGHTS_MIRROR');
  const name = fileName(weights.url);
  const url = mirror ? `${mirror.replace(/\/+$/, '')}/${name}` : weights.url;
  const progress = options.progress ?? true;

  if (!inNode()) {
    const chunks: Uint8Array[] = [];
    const report = typeof progress === 'function' ? progress : () => {};
    const n = await download(url, (c) => void chunks.push(c), report);
    const bytes = new Uint8Array(n);
    let o = 0;
    for (const c of chunks) {
      bytes.set(c, o);
      o += c.byteLength;
    }
    checkPrefix(url, hex(await crypto.subtle.digest('SHA-256', bytes)), weights.sha256Prefix, url);
    return { bytes, cached: false };
  }

  const fs = nodeBuiltin('node:fs', 'fetchWeights');
  const { join } = nodeBuiltin('node:path', 'fetchWeights');
  const { createHash } = nodeBuiltin('node:crypto', 'fetchWeights');
  const dir = options.cacheDir ?? weightsCacheDir();
  const path = join(dir, name);
  if (fs.existsSync(path)) {
    const bytes = new Uint8Array(fs.readFileSync(path));
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest.startsWith(weights.sha256Prefix.toLowerCase())) return { bytes, path, cached: true };
    // A damaged cache entry (a disk error, a hand-copied wrong file) is replaced, not trusted.
    process.stderr.write(`${path}: cached file fails its SHA-256 check; downloading it again\n`);
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new Error(`cannot create the weights cache ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set RESIDUAL_HOME to a writable directory`);
  }
  const partial = `${path}.${process.pid}.partial`;
  const report = typeof progress === 'function' ? progress : progress ? stderrProgress(url, path) : () => {};
  const hash = createHash('sha256');
  let fd: number | undefined;
  try {
    fd = fs.openSync(partial, 'w');
    const out = fd;
    await download(
      url,
      (chunk) => {
        hash.update(chunk);
        let off = 0;
        while (off < chunk.byteLength) off += fs.writeSync(out, chunk, off, chunk.byteLength - off);
      },
      report,
    );
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    checkPrefix(url, hash.digest('hex'), weights.sha256Prefix, `downloaded ${url}`);
    fs.renameSync(partial, path);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(partial, { force: true });
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC') throw new Error(`no space left on the device of ${dir} while writing ${name}; nothing was kept`);
    if (err.code) throw new Error(`cannot write ${partial} (${err.code})`);
    const offline = /^cannot download/.test(err.message);
    throw new Error(
      offline
        ? `${err.message}, and ${path} is not in the cache: put the file there (or point RESIDUAL_HOME at a cache that has it) to work offline`
        : err.message,
    );
  }
  return { bytes: new Uint8Array(fs.readFileSync(path)), path, cached: false };
}
