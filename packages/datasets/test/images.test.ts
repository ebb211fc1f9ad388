import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { DataLoader, DatasetError, ImageFolder, ImageNet, decodeImage, shorterSideSize } from '../src';
import { tf } from '@residual/tensor';
import { tempDir } from './helpers';

function raw(h: number, w: number, c: number, f: (y: number, x: number, k: number) => number): Buffer {
  const b = Buffer.alloc(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) b[(y * w + x) * c + k] = f(y, x, k);
  return b;
}

async function writeImage(file: string, h: number, w: number, kind: 'jpeg' | 'png', color = [200, 100, 50]): Promise<void> {
  const img = sharp(raw(h, w, 3, (_y, _x, k) => color[k]), { raw: { width: w, height: h, channels: 3 } });
  await (kind === 'jpeg' ? img.jpeg({ quality: 95 }) : img.png()).toFile(file);
}

describe('decodeImage (sharp)', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('decodes PNG exactly to RGB HWC; grayscale expands and alpha is dropped', async () => {
    const f = (y: number, x: number, k: number): number => (y * 40 + x * 7 + k * 90) % 256;
    await sharp(raw(5, 7, 3, f), { raw: { width: 7, height: 5, channels: 3 } }).png().toFile(join(tmp.dir, 'rgb.png'));
    const img = await decodeImage(join(tmp.dir, 'rgb.png'));
    expect([img.height, img.width, img.channels]).toEqual([5, 7, 3]);
    expect(Array.from(img.data)).toEqual(Array.from(raw(5, 7, 3, f)));
    await sharp(raw(3, 4, 1, (y, x) => y * 60 + x), { raw: { width: 4, height: 3, channels: 1 } }).png().toFile(join(tmp.dir, 'g.png'));
    const g = await decodeImage(join(tmp.dir, 'g.png'));
    expect(g.channels).toBe(3);
    expect(Array.from(g.data.subarray(3 * 5, 3 * 6))).toEqual([61, 61, 61]);
    await sharp(raw(2, 2, 4, (_y, x, k) => (k === 3 ? 10 : x * 100 + k)), { raw: { width: 2, height: 2, channels: 4 } }).png().toFile(join(tmp.dir, 'a.png'));
    const a = await decodeImage(join(tmp.dir, 'a.png'));
    expect(a.channels).toBe(3);
    expect(Array.from(a.data.subarray(3, 6))).toEqual([100, 101, 102]);
  });

  it('keeps pixels as stored when the EXIF orientation says rotate (as PIL/torchvision), and reports the tag', async () => {
    const f = (y: number, x: number, k: number): number => (y * 30 + x * 11 + k * 70) % 256;
    const px = raw(4, 6, 3, f);
    await sharp(px, { raw: { width: 6, height: 4, channels: 3 } }).withMetadata({ orientation: 6 }).png().toFile(join(tmp.dir, 'rot.png'));
    expect((await sharp(join(tmp.dir, 'rot.png')).metadata()).orientation).toBe(6);
    const img = await decodeImage(join(tmp.dir, 'rot.png'));
    expect([img.height, img.width, img.exifOrientation]).toEqual([4, 6, 6]);
    expect(Array.from(img.data)).toEqual(Array.from(px));
    await sharp(px, { raw: { width: 6, height: 4, channels: 3 } }).png().toFile(join(tmp.dir, 'plain.png'));
    expect((await decodeImage(join(tmp.dir, 'plain.png'))).exifOrientation).toBeUndefined();
  });

  it('decodes JPEG (written by sharp) close to the source colour', async () => {
    await writeImage(join(tmp.dir, 'x.jpg'), 16, 24, 'jpeg');
    const img = await decodeImage(join(tmp.dir, 'x.jpg'));
    expect([img.height, img.width]).toEqual([16, 24]);
    for (const [k, v] of [200, 100, 50].entries()) expect(Math.abs(img.data[(8 * 24 + 12) * 3 + k] - v)).toBeLessThanOrEqual(3);
  });

  it('resizes the shorter side while decoding, with torchvision Resize sizing', async () => {
    expect(shorterSideSize(375, 500, 256)).toEqual([256, 341]);
    expect(shorterSideSize(500, 333, 256)).toEqual([384, 256]);
    await writeImage(join(tmp.dir, 'big.jpg'), 600, 900, 'jpeg');
    const img = await decodeImage(join(tmp.dir, 'big.jpg'), { resizeShorterTo: 64 });
    expect([img.height, img.width]).toEqual([64, 96]);
    expect(Math.abs(img.data[(32 * 96 + 48) * 3] - 200)).toBeLessThanOrEqual(3);
  });

  it.each(['cmyk.jpg', 'cmyk.tif', 'g16.png'])("decodes %s exactly as PIL's convert('RGB')", async (name) => {
    const dir = join(__dirname, 'fixtures', 'pil');
    const want = new Uint8Array(readFileSync(join(dir, `${name}.rgb`)));
    const got = await decodeImage(join(dir, name));
    expect([got.height, got.width, got.channels]).toEqual([12, 20, 3]);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got.data[i]! - want[i]!));
    expect(maxDiff).toBe(0);
  });

  it('names the file of an unreadable JPEG', async () => {
    await writeImage(join(tmp.dir, 'ok.jpg'), 32, 32, 'jpeg');
    const bytes = readFileSync(join(tmp.dir, 'ok.jpg'));
    writeFileSync(join(tmp.dir, 'cut.jpg'), bytes.subarray(0, bytes.length >> 1));
    writeFileSync(join(tmp.dir, 'junk.jpg'), 'this is not a jpeg');
    await expect(decodeImage(join(tmp.dir, 'junk.jpg'))).rejects.toThrow(/junk.jpg: cannot decode image/);
    const err = await decodeImage(join(tmp.dir, 'cut.jpg')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(/cut.jpg: cannot decode image/);
  });
});

describe('ImageFolder and ImageNet', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('ImageFolder: sorted classes, recursive sorted files, extensions filtered, labels by folder', async () => {
    const root = join(tmp.dir, 'imagenette');
    for (const c of ['n03000684', 'n01440764', 'n02102040']) mkdirSync(join(root, c, 'sub'), { recursive: true });
    await writeImage(join(root, 'n01440764', 'b.JPEG'), 10, 12, 'jpeg');
    await writeImage(join(root, 'n01440764', 'a.png'), 10, 12, 'png');
    await writeImage(join(root, 'n01440764', 'sub', 'c.jpg'), 10, 12, 'jpeg');
    await writeImage(join(root, 'n02102040', 'z.jpg'), 10, 12, 'jpeg');
    await writeImage(join(root, 'n03000684', 'y.jpeg'), 10, 12, 'jpeg');
    writeFileSync(join(root, 'n03000684', 'notes.txt'), 'ignored');
    const ds = await ImageFolder.load({ root });
    expect(ds.classes).toEqual(['n01440764', 'n02102040', 'n03000684']);
    expect(ds.classToIdx.n02102040).toBe(1);
    expect(ds.samples.map(([f, l]) => [f.slice(root.length + 1), l])).toEqual([
      ['n01440764/a.png', 0], ['n01440764/b.JPEG', 0], ['n01440764/sub/c.jpg', 0], ['n02102040/z.jpg', 1], ['n03000684/y.jpeg', 2],
    ]);
    expect(Array.from(ds.targets)).toEqual([0, 0, 0, 1, 2]);
    const s = await ds.get(3);
    expect(s.label).toBe(1);
    expect([s.image!.height, s.image!.width, s.image!.channels]).toEqual([10, 12, 3]);
    mkdirSync(join(root, 'n04000000'));
    await expect(ImageFolder.load({ root })).rejects.toThrow(/found no image files .* for class folder\(s\): n04000000/);
  });

  it('ImageNet: train folders, flat val with LOC_val_solution.csv, names from LOC_synset_mapping.txt', async () => {
    const root = join(tmp.dir, 'ILSVRC', 'Data', 'CLS-LOC');
    const wnids = ['n01440764', 'n01443537', 'n01484850'];
    for (const w of wnids) {
      mkdirSync(join(root, 'train', w), { recursive: true });
      await writeImage(join(root, 'train', w, `${w}_1.JPEG`), 20, 30, 'jpeg');
    }
    mkdirSync(join(root, 'val'));
    const truth = { ILSVRC2012_val_00000001: 'n01484850', ILSVRC2012_val_00000002: 'n01440764', ILSVRC2012_val_00000003: 'n01443537' };
    for (const id of Object.keys(truth)) await writeImage(join(root, 'val', `${id}.JPEG`), 30, 20, 'jpeg');
    // Kaggle layout: the CSV and mapping sit three levels above CLS-LOC.
    writeFileSync(
      join(tmp.dir, 'LOC_val_solution.csv'),
      `ImageId,PredictionString\n${Object.entries(truth).map(([id, w]) => `${id},${w} 10 20 30 40 ${w} 1 2 3 4`).join('\n')}\n`,
    );
    writeFileSync(
      join(tmp.dir, 'LOC_synset_mapping.txt'),
      'n01443537 goldfish, Carassius auratus\nn01440764 tench, Tinca tinca\nn01484850 great white shark, white shark\n',
    );
    const train = await ImageNet.load({ root, split: 'train' });
    expect(train.wnids).toEqual(wnids);
    expect(train.classes).toEqual(['tench', 'goldfish', 'great white shark']);
    expect(train.classDescriptions[0]).toBe('tench, Tinca tinca');
    expect(Array.from(train.targets)).toEqual([0, 1, 2]);
    const val = await ImageNet.load({ root, split: 'val', resizeShorterTo: 8 });
    expect(Array.from(val.targets)).toEqual([2, 0, 1]);
    const img = (await val.get(0)).image!;
    expect([img.height, img.width]).toEqual([12, 8]);

    // The same validation set in class folders gives the same labels.
    const root2 = join(tmp.dir, 'folders');
    for (const [id, w] of Object.entries(truth)) {
      mkdirSync(join(root2, 'val', w), { recursive: true });
      await writeImage(join(root2, 'val', w, `${id}.JPEG`), 30, 20, 'jpeg');
    }
    const val2 = await ImageNet.load({ root: root2, split: 'val' });
    expect(val2.samples.map(([f, l]) => [f.replace(/.*\//, ''), l])).toEqual([
      ['ILSVRC2012_val_00000002.JPEG', 0], ['ILSVRC2012_val_00000003.JPEG', 1], ['ILSVRC2012_val_00000001.JPEG', 2],
    ]);
  });

  it('ImageNet: a class subset keeps ImageFolder labels; a flat val is labelled by the train classes', async () => {
    const root = join(tmp.dir, 'subset');
    for (const w of ['n01443537', 'n01484850']) {
      mkdirSync(join(root, 'train', w), { recursive: true });
      await writeImage(join(root, 'train', w, 'x.JPEG'), 8, 8, 'jpeg');
    }
    mkdirSync(join(root, 'val'));
    await writeImage(join(root, 'val', 'ILSVRC2012_val_00000001.JPEG'), 8, 8, 'jpeg');
    await writeImage(join(root, 'val', 'ILSVRC2012_val_00000002.JPEG'), 8, 8, 'jpeg');
    writeFileSync(join(root, 'LOC_synset_mapping.txt'), 'n01440764 tench\nn01443537 goldfish\nn01484850 great white shark\n');
    writeFileSync(join(root, 'LOC_val_solution.csv'), 'ImageId,PredictionString\nILSVRC2012_val_00000001,n01484850 1 2 3 4\nILSVRC2012_val_00000002,n01443537 1 2 3 4\n');
    const train = await ImageNet.load({ root });
    expect(train.classes).toEqual(['goldfish', 'great white shark']);
    const val = await ImageNet.load({ root, split: 'val' });
    expect(Array.from(val.targets)).toEqual([1, 0]);
    writeFileSync(join(root, 'LOC_val_solution.csv'), 'ImageId,PredictionString\nILSVRC2012_val_00000001,n01440764 1 2 3 4\nILSVRC2012_val_00000002,n01443537 1 2 3 4\n');
    await expect(ImageNet.load({ root, split: 'val' })).rejects.toThrow(/LOC_val_solution.csv: wnid n01440764 of ILSVRC2012_val_00000001 is not one of the 2 classes/);
  });

  it('DataLoader decodes at the size of a leading Resize (shrink-on-load), unless shrinkOnLoad is false', async () => {
    const { CenterCrop, Compose, Resize } = await import('@residual/transforms');
    const root = join(tmp.dir, 'big');
    mkdirSync(join(root, 'a'), { recursive: true });
    await writeImage(join(root, 'a', 'x.jpg'), 600, 900, 'jpeg');
    const ds = await ImageFolder.load({ root });
    const decoded: number[][] = [];
    const spy = (img: { height: number; width: number }): void => void decoded.push([img.height, img.width]);
    const chain = new Compose([new Resize(64), new CenterCrop(56)]);
    const probe = { transforms: chain.transforms, apply: (img: never, rng: never) => (spy(img), chain.apply(img, rng)) };
    for (const shrinkOnLoad of [true, false]) {
      ds.setDecodeHint({});
      const loader = new DataLoader(ds, { transform: probe, shrinkOnLoad });
      for await (const b of loader) {
        expect(b.x.shape).toEqual([1, 56, 56, 3]);
        tf.dispose([b.x, b.y]);
      }
    }
    expect(decoded).toEqual([[64, 96], [600, 900]]);
    // Through a TransformSpec (built-in preset) too.
    ds.setDecodeHint({});
    const { presetSpec } = await import('../src');
    const loader = new DataLoader(ds, { transform: presetSpec('imagenet-eval', { resizeSize: 64, cropSize: 56 }) });
    for await (const b of loader) tf.dispose([b.x, b.y]);
    expect(ds.decodeHint).toEqual({ resizeShorterTo: 64 });
  });

  it('ImageNet: skipCorrupt drops unreadable images and reports them; without it the error names the file', async () => {
    const root = join(tmp.dir, 'inet');
    mkdirSync(join(root, 'train', 'n01440764'), { recursive: true });
    for (let i = 0; i < 5; i++) await writeImage(join(root, 'train', 'n01440764', `img_${i}.JPEG`), 12, 12, 'jpeg');
    writeFileSync(join(root, 'train', 'n01440764', 'img_2.JPEG'), 'corrupt');
    const strict = await ImageNet.load({ root });
    await expect(strict.get(2)).rejects.toThrow(/img_2.JPEG: cannot decode image/);
    const lenient = await ImageNet.load({ root, skipCorrupt: true });
    const loader = new DataLoader(lenient, { batchSize: 5 });
    const sizes: number[] = [];
    for await (const b of loader) {
      sizes.push(b.x.shape[0]);
      tf.dispose([b.x, b.y]);
    }
    expect(sizes).toEqual([4]);
    expect(loader.skipped).toBe(1);
    expect(lenient.skippedFiles.map((f) => f.replace(/.*\//, ''))).toEqual(['img_2.JPEG']);
  });
  it('ImageNet refuses an empty class folder, as ImageFolder does', async () => {
    const root = join(tmp.dir, 'inet-empty');
    mkdirSync(join(root, 'train', 'n01440764'), { recursive: true });
    mkdirSync(join(root, 'train', 'n01443537'), { recursive: true });
    await writeImage(join(root, 'train', 'n01440764', 'a.JPEG'), 8, 8, 'jpeg');
    await expect(ImageNet.load({ root })).rejects.toThrow(/train: found no image files .* for class folder\(s\): n01443537/);
  });

  it('lists broken links and link loops as files that skipCorrupt skips (named when not skipped), and walks a folder loop once', async () => {
    const root = join(tmp.dir, 'links');
    mkdirSync(join(root, 'cat'), { recursive: true });
    await writeImage(join(root, 'cat', 'a.png'), 8, 8, 'png');
    symlinkSync(join(root, 'cat', 'missing.png'), join(root, 'cat', 'broken.png'));
    symlinkSync('loop2.png', join(root, 'cat', 'loop1.png'));
    symlinkSync('loop1.png', join(root, 'cat', 'loop2.png'));
    symlinkSync('..', join(root, 'cat', 'up')); // a folder link back to the root
    const strict = await ImageFolder.load({ root });
    const names = strict.samples.map(([f]) => f.slice(root.length + 1));
    expect(names).toEqual(['cat/a.png', 'cat/broken.png', 'cat/loop1.png', 'cat/loop2.png']);
    await expect(strict.get(1)).rejects.toThrow(/broken\.png: cannot decode image/);
    await expect(strict.get(2)).rejects.toThrow(/loop1\.png: cannot decode image/);
    const lenient = await ImageFolder.load({ root, skipCorrupt: true });
    const loader = new DataLoader(lenient, { batchSize: 8 });
    for await (const b of loader) tf.dispose([b.x, b.y]);
    expect(loader.skipped).toBe(3);
  });
});
