import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DatasetError, extractTarGz, unsafeEntryReason } from '../src';
import { tempDir } from './helpers';

/** One raw ustar entry (header + padded body), written by hand so no library sanitizes the names. */
function entry(name: string, body: string, type: '0' | '1' | '2' = '0', linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${Buffer.byteLength(body).toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write(linkname, 157, 100);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
  data.write(body);
  return Buffer.concat([h, data]);
}

describe('extractTarGz', () => {
  it('never writes outside the target: absolute paths, .. and escaping links are refused and reported', async () => {
    const { dir, cleanup } = tempDir();
    const absVictim = join(dir, 'abs-victim.txt');
    try {
      const archive = join(dir, 'evil.tar.gz');
      const tarBytes = Buffer.concat([
        entry('ok/good.txt', 'fine'),
        entry('../escape.txt', 'pwned'),
        entry('ok/../../escape2.txt', 'pwned'),
        entry(absVictim, 'pwned'),
        entry('ok/link', '', '2', '../../'),
        entry('ok/link/through-link.txt', 'pwned'),
        entry('ok/hard', '', '1', '../outside-hard'),
        Buffer.alloc(1024),
      ]);
      writeFileSync(archive, gzipSync(tarBytes));
      const target = join(dir, 'target');
      const err = await extractTarGz(archive, target).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatasetError);
      expect((err as Error).message).toMatch(/evil.tar.gz: refused \d+ unsafe archive entries/);
      expect((err as Error).message).toContain('../escape.txt');
      // A failed extraction keeps nothing (a half-extracted dataset would look complete).
      expect(existsSync(join(target, 'ok', 'good.txt'))).toBe(false);
      expect(existsSync(join(dir, 'escape.txt'))).toBe(false);
      expect(existsSync(join(dir, 'escape2.txt'))).toBe(false);
      expect(existsSync(absVictim)).toBe(false);
      expect(existsSync(join(target, 'ok', 'link'))).toBe(false);
      expect(existsSync(join(dir, 'outside-hard'))).toBe(false);
      expect(existsSync(join(dir, 'through-link.txt'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('resolves link chains against what the archive created: up -> . then d/x -> ../up/.. is refused', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const archive = join(dir, 'chain.tar');
      writeFileSync(
        archive,
        Buffer.concat([
          entry('data/ok.txt', 'fine'),
          entry('up', '', '2', '.'),
          entry('d/', '', '0'),
          entry('d/x', '', '2', '../up/..'),
          entry('d/x/escaped.txt', 'pwned'),
          entry('up/up/../../outside.txt', 'pwned'),
          Buffer.alloc(1024),
        ]),
      );
      const target = join(dir, 'target');
      const err = (await extractTarGz(archive, target).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(DatasetError);
      expect(err.message).toMatch(/d\/x \(link target \.\.\/up\/\.\. resolves outside/);
      expect(err.message).toMatch(/nothing was kept/);
      // Nothing escaped, no link is left behind, and the good file of the failed archive is gone too.
      expect(existsSync(join(dir, 'escaped.txt'))).toBe(false);
      expect(existsSync(join(dir, 'outside.txt'))).toBe(false);
      expect(existsSync(join(target, 'up'))).toBe(false);
      expect(existsSync(join(target, 'd', 'x'))).toBe(false);
      expect(existsSync(join(target, 'data', 'ok.txt'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('keeps links that stay inside', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const archive = join(dir, 'fine.tar');
      writeFileSync(archive, Buffer.concat([entry('a/real.txt', 'r'), entry('b', '', '2', 'a/real.txt'), entry('c/link', '', '2', '../a/real.txt'), Buffer.alloc(1024)]));
      const target = join(dir, 't');
      await extractTarGz(archive, target);
      expect(readFileSync(join(target, 'c', 'link'), 'utf8')).toBe('r');
      expect(lstatSync(join(target, 'b')).isSymbolicLink()).toBe(true);
    } finally {
      cleanup();
    }
  });

  (process.getuid?.() === 0 ? it : it.skip)('fails on a full disk instead of reporting success over a truncated file (tmpfs, needs root)', async () => {
    const { dir, cleanup } = tempDir();
    const small = join(dir, 'small');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', small]);
    try {
      const archive = join(dir, 'big.tar.gz');
      writeFileSync(archive, gzipSync(Buffer.concat([entry('data/a.bin', 'a'.repeat(40_000)), entry('data/big.bin', 'b'.repeat(400_000)), Buffer.alloc(1024)])));
      const err = (await extractTarGz(archive, join(small, 'target')).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(DatasetError);
      expect(err.message).toMatch(/big\.tar\.gz: (extraction failed|cannot extract).*ENOSPC/);
      expect(existsSync(join(small, 'target', 'data', 'big.bin'))).toBe(false);
      expect(existsSync(join(small, 'target', 'data', 'a.bin'))).toBe(false);
    } finally {
      execFileSync('umount', [small]);
      cleanup();
    }
  });

  it('classifies entries', () => {
    expect(unsafeEntryReason('a/b.txt', 'File')).toBeNull();
    expect(unsafeEntryReason('a/link', 'SymbolicLink', 'b.txt')).toBeNull();
    expect(unsafeEntryReason('a/link', 'SymbolicLink', '../../x')).toMatch(/escapes/);
    expect(unsafeEntryReason('/etc/passwd', 'File')).toBe('absolute path');
    expect(unsafeEntryReason('a/../../b', 'File')).toMatch(/\.\./);
  });

  it('names the archive when it is corrupt', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const archive = join(dir, 'broken.tar.gz');
      writeFileSync(archive, gzipSync(Buffer.concat([entry('a.txt', 'x'.repeat(2000))])).subarray(0, 40));
      await expect(extractTarGz(archive, join(dir, 't'))).rejects.toThrow(/broken.tar.gz/);
    } finally {
      cleanup();
    }
  });
});
