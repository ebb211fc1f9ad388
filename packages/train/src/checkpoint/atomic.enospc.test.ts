// writeFileAtomic on a real, tiny filesystem (a 256 KiB tmpfs this test mounts; CI runs as root): a
// write that does not fit fails naming the file and ENOSPC, leaves the previous content intact and no
// temp file behind.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, WriteFileError } from './atomic';

const root = process.getuid?.() === 0;
(root ? describe : describe.skip)('writeFileAtomic on a full disk (tmpfs, needs root)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'residual-enospc-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
  });
  afterAll(() => {
    try {
      execFileSync('umount', [dir]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with ENOSPC naming the file, keeps the old content, leaves no temp file', () => {
    const path = join(dir, 'model.safetensors');
    writeFileAtomic(path, 'the good earlier copy');
    let err: unknown;
    try {
      writeFileAtomic(path, new Uint8Array(1 << 20));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WriteFileError);
    expect((err as WriteFileError).code).toBe('ENOSPC');
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(/disk is full/);
    expect(readFileSync(path, 'utf8')).toBe('the good earlier copy');
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });
});
