import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DatasetError, FASHION_MNIST_CLASSES, FashionMNIST, MNIST, parseIdx } from '../src';
import { tempDir } from './helpers';

function idx(magic: number, dims: number[], data: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, data]);
}

describe('IDX files', () => {
  it('parses big-endian dims and data', () => {
    const a = parseIdx(idx(0x803, [2, 3, 4], Uint8Array.from({ length: 24 }, (_, i) => i)), 'x', 3);
    expect(a.dims).toEqual([2, 3, 4]);
    expect(Array.from(a.data.subarray(20))).toEqual([20, 21, 22, 23]);
  });

  it('rejects a wrong magic, naming the file', () => {
    expect(() => parseIdx(idx(0x801, [4], new Uint8Array(4)), 'train-images-idx3-ubyte', 3)).toThrow(
      /train-images-idx3-ubyte: bad IDX magic 0x00000801/,
    );
    expect(() => parseIdx(idx(0x12345678, [4], new Uint8Array(4)), 'f.idx')).toThrow(DatasetError);
  });

  it('rejects counts that do not match the file size', () => {
    expect(() => parseIdx(idx(0x803, [2, 2, 2], new Uint8Array(7)), 'short.idx', 3)).toThrow(/short.idx: .*need 8 data bytes but the file has 7 \(truncated\)/);
    expect(() => parseIdx(idx(0x801, [3], new Uint8Array(5)), 'long.idx', 1)).toThrow(/trailing data/);
  });

  it('loads an MNIST-layout folder, gzipped or not, and checks label/image counts agree', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const imgs = Uint8Array.from({ length: 3 * 28 * 28 }, (_, i) => i % 251);
      writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idx(0x803, [3, 28, 28], imgs)));
      writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx(0x801, [3], Uint8Array.of(7, 2, 1)));
      const ds = await MNIST.load({ root: dir, split: 'test' });
      expect(ds.length).toBe(3);
      expect(ds.get(2).label).toBe(1);
      const img = ds.get(1).image!;
      expect([img.height, img.width, img.channels]).toEqual([28, 28, 1]);
      expect(img.data[0]).toBe(784 % 251);
      writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx(0x801, [2], Uint8Array.of(7, 2)));
      await expect(MNIST.load({ root: dir, split: 'test' })).rejects.toThrow(/t10k-labels-idx1-ubyte: holds 2 labels but .* holds 3 images/);
    } finally {
      cleanup();
    }
  });

  it('names the searched directories when nothing is found', async () => {
    await expect(MNIST.load({ root: '/nonexistent-dir' })).rejects.toThrow(/nonexistent-dir.*no train-images-idx3-ubyte/);
  });
});

describe('Fashion-MNIST (real files from Debian dataset-fashion-mnist)', () => {
  it('has 60,000 train / 10,000 test images, 6,000 / 1,000 per class, first training label 9', async () => {
    const train = await FashionMNIST.load({ split: 'train' });
    const test = await FashionMNIST.load({ split: 'test' });
    expect(train.length).toBe(60000);
    expect(test.length).toBe(10000);
    expect(train.classCounts()).toEqual(new Array(10).fill(6000));
    expect(test.classCounts()).toEqual(new Array(10).fill(1000));
    expect(train.get(0).label).toBe(9);
    expect(train.classes?.[9]).toBe('Ankle boot');
    expect(FASHION_MNIST_CLASSES).toHaveLength(10);
    expect(train.shape).toEqual({ height: 28, width: 28, channels: 1 });
  });
});
