import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Write a file so readers only ever see the old or the complete new content: write `path.tmp-<pid>`,
 * fsync it, rename over `path`, then fsync the directory so the rename itself survives a crash.
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
  const fd = openSync(tmp, 'w');
  try {
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* the temp file may not exist */
    }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  try {
    const dfd = openSync(dirname(path) || '.', 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some platforms (Windows) cannot open a directory for fsync; the rename is still atomic there.
  }
}

/** Temp files a killed writer may have left behind (`*.tmp-<pid>`). */
export function isTempFile(name: string): boolean {
  return /\.tmp-\d+$/.test(name);
}

