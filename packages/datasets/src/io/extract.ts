import { mkdir } from 'node:fs/promises';
import { isAbsolute, posix, resolve } from 'node:path';
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
 * Extract a `.tar.gz` (or plain `.tar`) archive into `dir`, streaming, with the `tar` package. Every
 * entry is checked by {@link unsafeEntryReason}; unsafe entries are never written and, after the rest
 * is extracted, an error lists them. (`tar` itself also refuses such entries; this is defence in depth
 * and makes the failure loud rather than a warning.)
 *
 * @example
 * ```ts
 * await extractTarGz('/data/cifar-10-binary.tar.gz', '/data'); // -> /data/cifar-10-batches-bin/
 * ```
 */
export async function extractTarGz(archive: string, dir: string, options: ExtractOptions = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  const rejected: string[] = [];
  const warnings: string[] = [];
  try {
    await untar({
      file: archive,
      cwd: resolve(dir),
      preservePaths: false,
      strict: false,
      onwarn: (code, message) => {
        warnings.push(`${code}: ${message}`);
      },
      filter: (path, entry) => {
        const e = entry as { type?: string; linkpath?: string };
        const reason = unsafeEntryReason(path, String(e.type ?? 'File'), e.linkpath ? String(e.linkpath) : undefined);
        if (reason) {
          rejected.push(`${path} (${reason})`);
          return false;
        }
        return !options.only || options.only.some((p) => path.startsWith(p));
      },
    });
  } catch (e) {
    throw new DatasetError(archive, `cannot extract: ${(e as Error).message}`);
  }
  if (rejected.length > 0) {
    throw new DatasetError(archive, `refused ${rejected.length} unsafe archive entr${rejected.length === 1 ? 'y' : 'ies'}: ${rejected.join('; ')}`);
  }
  const fatal = warnings.filter((w) => /TAR_BAD_ARCHIVE|TAR_ABORT|zlib|unexpected end/i.test(w));
  if (fatal.length > 0) throw new DatasetError(archive, `corrupt archive: ${fatal.join('; ')}`);
}
