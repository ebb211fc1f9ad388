import { readFileSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { c as tarCreate } from 'tar';
import { CIFAR10, CIFAR100, DatasetError, md5File, readPickle, trainValSplit } from '../src';
import { cifarRecords, pixel, tempDir } from './helpers';

const FIXTURES = join(__dirname, '..', 'fixtures');

function expectImage(ds: CIFAR10 | CIFAR100, i: number, n: number): void {
  const img = ds.get(i).image!;
  expect([img.height, img.width, img.channels]).toEqual([32, 32, 3]);
  // HWC: pixel (r, c) channel ch sits at (r*32 + c)*3 + ch.
  for (const [r, c, ch] of [[0, 0, 0], [0, 1, 2], [5, 17, 1], [31, 31, 2]]) {
    expect(img.data[(r * 32 + c) * 3 + ch]).toBe(pixel(n, r, c, ch));
  }
}

describe('CIFAR-10 binary version', () => {
  it('reads records (1 label byte + 3072 planar pixels) from a real tar.gz, as HWC', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const src = join(dir, 'src');
      mkdirSync(join(src, 'cifar-10-batches-bin'), { recursive: true });
      for (let b = 1; b <= 5; b++) {
        writeFileSync(join(src, 'cifar-10-batches-bin', `data_batch_${b}.bin`), cifarRecords(4, (n) => [n % 10], (b - 1) * 4));
      }
      writeFileSync(join(src, 'cifar-10-batches-bin', 'test_batch.bin'), cifarRecords(3, (n) => [(n * 3) % 10], 100));
      writeFileSync(join(src, 'cifar-10-batches-bin', 'batches.meta.txt'), 'a0\na1\na2\na3\na4\na5\na6\na7\na8\na9\n\n');
      const root = join(dir, 'root');
      mkdirSync(root);
      const archive = join(root, 'cifar-10-binary.tar.gz');
      await tarCreate({ gzip: true, file: archive, cwd: src }, ['cifar-10-batches-bin']);
      const md5 = await md5File(archive);

      const train = await CIFAR10.load({ root, split: 'train', md5, verifyCounts: false });
      expect(train.length).toBe(20);
      expect(train.format).toBe('binary');
      expect(train.classes).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9']);
      expect(Array.from(train.labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
      expectImage(train, 0, 0);
      expectImage(train, 13, 13);
      const test = await CIFAR10.load({ root, split: 'test', verifyCounts: false });
      expect(Array.from(test.labels)).toEqual([0, 3, 6]);
      expectImage(test, 2, 102);
      // The published count is enforced by default.
      await expect(CIFAR10.load({ root, split: 'test' })).rejects.toThrow(/test_batch.bin: holds 3 records, the published file holds 10000/);
    } finally {
      cleanup();
    }
  });

  it('names the file when its size is not whole records', async () => {
    const { dir, cleanup } = tempDir();
    try {
      mkdirSync(join(dir, 'cifar-10-batches-bin'));
      writeFileSync(join(dir, 'cifar-10-batches-bin', 'test_batch.bin'), cifarRecords(2, () => [1]).subarray(0, 5000));
      await expect(CIFAR10.load({ root: dir, split: 'test', verifyCounts: false })).rejects.toThrow(
        /test_batch.bin: size 5000 bytes is not a whole number of 3073-byte CIFAR records/,
      );
      writeFileSync(join(dir, 'cifar-10-batches-bin', 'test_batch.bin'), cifarRecords(1, () => [10]));
      await expect(CIFAR10.load({ root: dir, split: 'test', verifyCounts: false })).rejects.toThrow(/record 0 has label 10/);
    } finally {
      cleanup();
    }
  });

  it('refuses an archive whose MD5 differs from the expected one', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, 'cifar-10-binary.tar.gz'), 'not the archive');
      const err = await CIFAR10.load({ root: dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatasetError);
      expect((err as Error).message).toMatch(/cifar-10-binary.tar.gz: MD5 [0-9a-f]{32} does not match the published c32a1d4ab5d03f1284b67883e8d87530/);
    } finally {
      cleanup();
    }
  });

  it('without data or download, says what is missing and how to get it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      await expect(CIFAR10.load({ root: dir })).rejects.toThrow(/no cifar-10-batches-bin\/ or cifar-10-batches-py\/.*download: true/);
    } finally {
      cleanup();
    }
  });
});

describe('CIFAR-100 binary version', () => {
  it('reads coarse and fine labels (2 label bytes per record)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const d = join(dir, 'cifar-100-binary');
      mkdirSync(d);
      writeFileSync(join(d, 'train.bin'), cifarRecords(5, (n) => [n % 20, (n * 7) % 100]));
      writeFileSync(join(d, 'test.bin'), cifarRecords(2, (n) => [n % 20, (n * 7) % 100], 50));
      writeFileSync(join(d, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `c${i}`).join('\n'));
      writeFileSync(join(d, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `f${i}`).join('\n'));
      const fine = await CIFAR100.load({ root: dir, verifyCounts: false });
      expect(Array.from(fine.labels)).toEqual([0, 7, 14, 21, 28]);
      expect(Array.from(fine.coarseLabels)).toEqual([0, 1, 2, 3, 4]);
      expect(fine.classes?.[7]).toBe('f7');
      expectImage(fine, 4, 4);
      const coarse = await CIFAR100.load({ root: dir, split: 'test', targetType: 'coarse', verifyCounts: false });
      expect(Array.from(coarse.labels)).toEqual([10, 11]);
      expect(coarse.classes?.[11]).toBe('c11');
      expectImage(coarse, 1, 51);
      // A CIFAR-10 file (3073-byte records) read as CIFAR-100 (3074) is caught by size.
      writeFileSync(join(d, 'test.bin'), cifarRecords(2, () => [1]));
      await expect(CIFAR100.load({ root: dir, split: 'test', verifyCounts: false })).rejects.toThrow(/test.bin: size 6146 bytes .*3074-byte/);
    } finally {
      cleanup();
    }
  });
});

describe('CIFAR python version (pickles written by numpy/pickle, see tools/datasets/make_cifar_python.py)', () => {
  it('reads CIFAR-10 from the python archive when no binary version is present', async () => {
    const { dir, cleanup } = tempDir();
    try {
      copyFileSync(join(FIXTURES, 'cifar-10-python-small.tar.gz'), join(dir, 'cifar-10-python.tar.gz'));
      // The fixture is not the published archive, so the checksum check must fail first...
      await expect(CIFAR10.load({ root: dir, verifyCounts: false })).rejects.toThrow(/cifar-10-python.tar.gz: MD5 .* c58f30108f718f92721af3b95e74349a/);
      // ...and, once extracted, the folder is read without checksums.
      const { extractTarGz } = await import('../src');
      await extractTarGz(join(dir, 'cifar-10-python.tar.gz'), dir);
      const train = await CIFAR10.load({ root: dir, verifyCounts: false });
      expect(train.format).toBe('python');
      expect(train.length).toBe(30);
      expect(Array.from(train.labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
      expect(train.classes?.[9]).toBe('truck');
      expectImage(train, 0, 0);
      expectImage(train, 29, 29);
      const test = await CIFAR10.load({ root: dir, split: 'test', verifyCounts: false });
      expect(test.length).toBe(6);
      expectImage(test, 5, 35);
    } finally {
      cleanup();
    }
  });

  it('reads CIFAR-100 fine and coarse labels from pickles', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { extractTarGz } = await import('../src');
      await extractTarGz(join(FIXTURES, 'cifar-100-python-small.tar.gz'), dir);
      const train = await CIFAR100.load({ root: dir, verifyCounts: false, format: 'python' });
      expect(train.length).toBe(8);
      expect(Array.from(train.fineLabels)).toEqual([0, 13, 26, 39, 52, 65, 78, 91]);
      expect(Array.from(train.coarseLabels)).toEqual([0, 13, 6, 19, 12, 5, 18, 11]);
      expect(train.fineClasses[13]).toBe('fine13');
      expect(train.coarseClasses[19]).toBe('coarse19');
      expectImage(train, 7, 7);
      const test = await CIFAR100.load({ root: dir, split: 'test', verifyCounts: false });
      expectImage(test, 3, 103);
    } finally {
      cleanup();
    }
  });

  it('honours a Fortran-ordered data array (numpy.asfortranarray) instead of reading it scrambled', async () => {
    const { parseCifarPickle } = await import('../src/cifar/parse');
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'cifar-10-fortran-test_batch.pkl')));
    const a = parseCifarPickle(bytes, 'fortran_batch', 10);
    expect(Array.from(a.labels)).toEqual([0, 1, 2, 3, 4, 5]);
    // Same pixels as the C-ordered fixtures: value(n, r, c, ch) = (n*31 + r*7 + c*3 + ch*101) % 256, n from 30.
    for (const [i, r, c, ch] of [[0, 0, 0, 0], [0, 5, 17, 2], [3, 31, 31, 1], [5, 12, 3, 0]] as const) {
      expect(a.images[((i * 32 + r) * 32 + c) * 3 + ch]).toBe(((30 + i) * 31 + r * 7 + c * 3 + ch * 101) % 256);
    }
  });

  it('says what is wrong with a hand-crafted pickle that APPENDs onto a dict', () => {
    // PROTO 2, EMPTY_DICT, BININT1 1, APPEND, STOP
    expect(() => readPickle(Uint8Array.of(0x80, 2, 0x7d, 0x4b, 1, 0x61, 0x2e), 'odd.pkl')).toThrow(/odd.pkl: pickle: APPEND onto a dict, which is not a list/);
    // PROTO 2, EMPTY_LIST, BININT1 1, BININT1 2, SETITEM, STOP
    expect(() => readPickle(Uint8Array.of(0x80, 2, 0x5d, 0x4b, 1, 0x4b, 2, 0x73, 0x2e), 'odd.pkl')).toThrow(/SETITEM onto a list, which is not a dict/);
  });

  it('reads Python-2 style strings and refuses any global outside the allow-list', () => {
    // PROTO 2, EMPTY_DICT, SHORT_BINSTRING 'ab', BININT1 5, SETITEM, STOP (what cPickle writes).
    const py2 = Uint8Array.of(0x80, 2, 0x7d, 0x55, 2, 0x61, 0x62, 0x4b, 5, 0x73, 0x2e);
    expect((readPickle(py2, 'p') as Map<unknown, unknown>).get('ab')).toBe(5);
    const evil = new Uint8Array([0x80, 2, ...Buffer.from('cos\nsystem\n'), 0x55, 2, 0x6c, 0x73, 0x85, 0x52, 0x2e]);
    expect(() => readPickle(evil, 'evil.pkl')).toThrow(/evil.pkl: pickle: refusing global os.system/);
    expect(() => readPickle(Uint8Array.of(0x80, 2, 0x7d, 0x55, 9, 0x61), 'cut.pkl')).toThrow(/cut.pkl: pickle: truncated/);
  });
});

describe('trainValSplit', () => {
  it("gives the paper's 45k/5k split by default, disjoint and deterministic from the seed", () => {
    const ds = { length: 50000, get: (i: number) => ({ image: null, label: i }) };
    const a = trainValSplit(ds, { seed: 3 });
    expect([a.train.length, a.val.length]).toEqual([45000, 5000]);
    const all = new Set([...a.train.indices, ...a.val.indices]);
    expect(all.size).toBe(50000);
    const b = trainValSplit(ds, { seed: 3 });
    expect(Array.from(b.val.indices)).toEqual(Array.from(a.val.indices));
    const c = trainValSplit(ds, { seed: 4 });
    expect(Array.from(c.val.indices)).not.toEqual(Array.from(a.val.indices));
    const d = trainValSplit(ds, { valFraction: 0.2 });
    expect(d.val.length).toBe(10000);
    expect(d.train.get(0)).toEqual({ image: null, label: d.train.indices[0] });
  });
});
