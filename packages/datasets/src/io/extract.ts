import { existsSync, lstatSync, readlinkSync, rmSync, rmdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, posix, resolve } from 'node:path';
import { x as untar } from 'tar';
import { DatasetError } from '../errors';

/** Options of {@link extractTarGz}. */
export interface ExtractOptions {
  /** Only extract entries whose path starts with one of these prefixes. */
  only?: string[];
}

/**
 * Why an archive entry would land outside the target directory, or `null` when it is safe.
 * Rejects absolute paths, `..` segments, links whose target resolves outside the target, and device
 * or FIFO entries (which a dataset never needs).
 *
 * @example
 * ```ts
 * unsafeEntryReason('../etc/passwd', 'File'); // "path contains '..'"
 * ```
 */
export function unsafeEntryReason(path: string, type: string, linkpath?: string): string | null {
  const norm = path.replace(/\\/g, '/');
  if (isAbsolute(norm) || /^[a-zA-Z]:/.test(norm)) return 'absolute path';
  if (norm.split('/').includes('..')) return "path contains '..'";
  if (type === 'SymbolicLink' || type === 'Link') {
    if (!linkpath) return 'link without a target';
    const lp = linkpath.replace(/\\/g, '/');
    if (isAbsolute(lp)) return `link to absolute path ${linkpath}`;
    // Hard links are relative to the archive root, symlinks to the entry's directory.
    const target = posix.normalize(type === 'Link' ? lp : posix.join(posix.dirname(norm), lp));
    if (target === '..' || target.startsWith('../')) return `link target ${linkpath} escapes the target directory`;
  }
  if (['CharacterDevice', 'BlockDevice', 'FIFO'].includes(type)) return `${type} entry`;
  return null;
}

/**
 * Resolve an archive path inside the target directory the way the filesystem will, following the
 * symbolic links that earlier entries created (`links`, archive path → link text) or that already
 * exist on disk under `root`. Returns the normalised path, or `null` when it leaves the target (a chain
 * such as `up -> .` then `d/x -> ../up/..` is caught, which a lexical check misses) or loops.
 */
function resolveInside(path: string, links: Map<string, string>, root: string, depth = 0): string[] | null {
  if (depth > 40) return null;
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(part);
    const here = out.join('/');
    let link = links.get(here);
    if (link === undefined) {
      try {
        if (lstatSync(join(root, here)).isSymbolicLink()) link = readlinkSync(join(root, here));
      } catch {
        // not on disk yet
      }
    }
    if (link !== undefined) {
      if (isAbsolute(link)) return null;
      out.pop();
      const resolved = resolveInside([...out, link].join('/'), links, root, depth + 1);
      if (!resolved) return null;
      out.splice(0, out.length, ...resolved);
    }
  }
  return out;
}

/**
 * Extract a `.tar.gz` (or plain `.tar`) archive into `dir`, streaming, with the `tar` package. Every
 * entry is checked by {@link unsafeEntryReason}, and every path and link target is resolved against
 * the links the archive has created so far and the real filesystem, so no chain of links leads out.
 * Unsafe entries are never written; any of them, and any warning from `tar` (a write that failed, a
 * full disk, a corrupt block), fails the extraction: what it wrote is removed and an error names the
 * archive and each problem.
 *
 * @example
 * ```ts
 * await extractTarGz('/data/cifar-10-binary.tar.gz', '/data'); // -> /data/cifar-10-batches-bin/
 * ```
 */
export async function extractTarGz(archive: string, dir: string, options: ExtractOptions = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  const root = resolve(dir);
  const rejected: string[] = [];
  const warnings: string[] = [];
  const links = new Map<string, string>();
  const written: string[] = [];
  const cleanup = () => {
    for (const p of written.reverse()) {
      const full = join(root, p);
      try {
        if (lstatSync(full).isDirectory()) rmdirSync(full); // only when empty: it may have held files before
        else rmSync(full, { force: true });
      } catch {
        // already gone, or a directory that is not empty
      }
    }
  };
  try {
    await untar({
      file: archive,
      cwd: resolve(dir),
      preservePaths: false,
      strict: false,
      onwarn: (code, message, data) => {
        const where = (data as { path?: string; entry?: { path?: string } } | undefined)?.entry?.path ?? (data as { path?: string } | undefined)?.path;
        warnings.push(`${where ? `${where}: ` : ''}${code}: ${message}`);
      },
      filter: (path, entry) => {
        const e = entry as { type?: string; linkpath?: string };
        const type = String(e.type ?? 'File');
        const linkpath = e.linkpath ? String(e.linkpath) : undefined;
        let reason = unsafeEntryReason(path, type, linkpath);
        const norm = path.replace(/\\/g, '/').replace(/\/+$/, '');
        if (!reason) {
          // The entry's own location, through any link an earlier entry made.
          const parent = resolveInside(posix.dirname(norm), links, root);
          if (!parent) reason = 'its path passes through a link that leads outside the target directory';
          else if (type === 'SymbolicLink' && !resolveInside([...parent, linkpath!].join('/'), links, root)) {
            reason = `link target ${linkpath} resolves outside the target directory (through other links)`;
          }
        }
        if (reason) {
          rejected.push(`${path} (${reason})`);
          return false;
        }
        const wanted = !options.only || options.only.some((p) => path.startsWith(p));
        if (wanted) {
          if (type === 'SymbolicLink') links.set(norm, linkpath!);
          // Folders tar will create for this entry, so a failure removes them too.
          const parts = norm.split('/');
          for (let i = 1; i < parts.length; i++) {
            const ancestor = parts.slice(0, i).join('/');
            if (!written.includes(ancestor) && !existsSync(join(root, ancestor))) written.push(ancestor);
          }
          written.push(norm);
        }
        return wanted;
      },
    });
  } catch (e) {
    cleanup();
    throw new DatasetError(archive, `cannot extract: ${(e as Error).message}`);
  }
  if (rejected.length > 0) {
    cleanup();
    throw new DatasetError(archive, `refused ${rejected.length} unsafe archive entr${rejected.length === 1 ? 'y' : 'ies'}: ${rejected.join('; ')}; nothing was kept`);
  }
  if (warnings.length > 0) {
    cleanup();
    const corrupt = warnings.some((w) => /TAR_BAD_ARCHIVE|TAR_ABORT|zlib|unexpected end/i.test(w));
    throw new DatasetError(archive, `${corrupt ? 'corrupt archive' : 'extraction failed'}: ${warnings.join('; ')}; nothing was kept`);
  }
}
