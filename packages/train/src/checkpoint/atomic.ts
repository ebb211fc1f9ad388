import { nodeBuiltin } from '@residual/tensor';

// Node built-ins are loaded at call time: browser bundles of this package never resolve them.
const nodeFs = () => nodeBuiltin('node:fs', 'writing files');
const nodePath = () => nodeBuiltin('node:path', 'writing files');

/**
 * Raised when a file cannot be written (a full disk, no permission): the message names the file and
 * the system's error code (`ENOSPC` …), which `code` also carries. The previous content of the file,
 * if any, is untouched.
 * @example
 * ```ts
 * import { writeFileAtomic, WriteFileError } from '@residual/train';
 * try { writeFileAtomic('runs/r20/model.safetensors', bytes); } catch (e) { if (e instanceof WriteFileError && e.code === 'ENOSPC') console.error('disk full'); }
 * ```
 */
export class WriteFileError extends Error {
  readonly code: string | undefined;
  constructor(
    readonly path: string,
    override readonly cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EDQUOT' ? 'the disk quota is exceeded' : ((cause as Error)?.message ?? String(cause));
    super(`could not write ${path}: ${why}${code ? ` (${code})` : ''}; its previous content, if any, is unchanged`);
    this.name = 'WriteFileError';
    this.code = code;
  }
}

// RESIDUAL_FAULT_WRITE_DELAY_MS (tests only): pause each write half-way for that long.
const faultDelayMs = Number(typeof process !== 'undefined' ? (process.env.RESIDUAL_FAULT_WRITE_DELAY_MS ?? 0) : 0) || 0;

/**
 * Write a file so readers only ever see the old or the complete new content: write `path.tmp-<pid>`,
 * fsync it, rename over `path`, then fsync the directory so the rename itself survives a crash. On
 * failure the temp file is removed and a {@link WriteFileError} names `path`.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from '@residual/train';
 * writeFileAtomic('runs/r20/notes.json', JSON.stringify({ ok: true }));
 * ```
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let fd: number;
  try {
    fd = nodeFs().openSync(tmp, 'w');
  } catch (e) {
    throw new WriteFileError(path, e);
  }
  try {
    let off = 0;
    const half = faultDelayMs > 0 ? bytes.byteLength >> 1 : bytes.byteLength;
    while (off < half) off += nodeFs().writeSync(fd, bytes, off, half - off);
    // Fault-injection hook for the crash tests: stall half-way so a kill lands inside the write.
    if (faultDelayMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, faultDelayMs);
    while (off < bytes.byteLength) off += nodeFs().writeSync(fd, bytes, off, bytes.byteLength - off);
    nodeFs().fsyncSync(fd);
    nodeFs().closeSync(fd);
    nodeFs().renameSync(tmp, path);
  } catch (e) {
    try {
      nodeFs().closeSync(fd);
    } catch {
      /* already closed */
    }
    try {
      nodeFs().unlinkSync(tmp);
    } catch {
      /* the temp file may not exist */
    }
    throw new WriteFileError(path, e);
  }
  try {
    const dfd = nodeFs().openSync(nodePath().dirname(path) || '.', 'r');
    try {
      nodeFs().fsyncSync(dfd);
    } finally {
      nodeFs().closeSync(dfd);
    }
  } catch {
    // Some platforms (Windows) cannot open a directory for fsync; the rename is still atomic there.
  }
}

/** Temp files a killed writer may have left behind (`*.tmp-<pid>`). */
export function isTempFile(name: string): boolean {
  return /\.tmp-\d+$/.test(name);
}

