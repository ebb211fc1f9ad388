import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
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
      expect(readFileSync(join(target, 'ok', 'good.txt'), 'utf8')).toBe('fine');
      expect(existsSync(join(dir, 'escape.txt'))).toBe(false);
      expect(existsSync(join(dir, 'escape2.txt'))).toBe(false);
      expect(existsSync(absVictim)).toBe(false);
      // The escaping symlink was not created; the later entry below its name lands in a plain directory.
      expect(lstatSync(join(target, 'ok', 'link')).isSymbolicLink()).toBe(false);
      expect(readFileSync(join(target, 'ok', 'link', 'through-link.txt'), 'utf8')).toBe('pwned');
      expect(existsSync(join(dir, 'outside-hard'))).toBe(false);
      expect(existsSync(join(dir, 'through-link.txt'))).toBe(false);
    } finally {
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
