import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@residual/random';
import * as T from '../src/index';
import type { Image } from '../src/image';
import { GOLDEN_DIR, loadInputs } from './golden';

const inputs = loadInputs();
const photo = inputs[0];
const same = (a: Image, b: Image): boolean =>
  a.height === b.height && a.width === b.width && a.channels === b.channels && Buffer.from(a.data).equals(Buffer.from(b.data));

describe('RandomCrop', () => {
  test.each(['constant', 'edge', 'reflect', 'symmetric'] as const)('fused pad+crop equals pad() then crop() (%s)', (mode) => {
    const t = new T.RandomCrop([20, 24], { padding: [3, 2, 4, 1], paddingMode: mode, fill: [9, 99, 199] });
    for (let k = 0; k < 25; k++) {
      const rng = new Rng(k);
      const probe = rng.clone();
      const padded = T.pad(photo, [3, 2, 4, 1], { paddingMode: mode, fill: [9, 99, 199] });
      const i = probe.randint(0, padded.height - 20 + 1);
      const j = probe.randint(0, padded.width - 24 + 1);
      expect(same(t.apply(photo, rng), T.crop(padded, i, j, 20, 24))).toBe(true);
    }
  });

  test('CIFAR recipe covers all 81 offsets and returns 32x32', () => {
    // channel 0 = row + 1, channel 1 = column + 1: the centre pixel of a crop tells its offset
    const img = T.createImage(32, 32, 3);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) [img.data[(y * 32 + x) * 3], img.data[(y * 32 + x) * 3 + 1]] = [y + 1, x + 1];
    const t = new T.RandomCrop(32, { padding: 4 });
    const seen = new Map<string, number>();
    for (let k = 0; k < 4000; k++) {
      const out = t.apply(img, Rng.derive(1, 0, k));
      expect([out.height, out.width]).toEqual([32, 32]);
      const c = (16 * 32 + 16) * 3;
      const key = `${out.data[c] - 1 - 16 + 4},${out.data[c + 1] - 1 - 16 + 4}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(81);
    for (const [key, n] of seen) {
      const [i, j] = key.split(',').map(Number);
      expect(i >= 0 && i <= 8 && j >= 0 && j <= 8).toBe(true);
      expect(n).toBeGreaterThan(15); // ~49 expected each
    }
  });

  test('padIfNeeded pads both sides by the deficit like torchvision; too small without it throws', () => {
    const small = T.createImage(10, 12, 1, 5);
    const out = new T.RandomCrop(16, { padIfNeeded: true }).apply(small, new Rng(3));
    expect([out.height, out.width]).toEqual([16, 16]);
    expect(() => new T.RandomCrop(16).apply(small, new Rng(3))).toThrow(/larger than/);
  });
});

describe('flips', () => {
  test('p=1 flips, p=0 keeps, p=0.5 flips about half the time', () => {
    expect(same(new T.RandomHorizontalFlip(1).apply(photo, new Rng(0)), T.hflip(photo))).toBe(true);
    expect(new T.RandomHorizontalFlip(0).apply(photo, new Rng(0))).toBe(photo);
    expect(same(new T.RandomVerticalFlip(1).apply(photo, new Rng(0)), T.vflip(photo))).toBe(true);
    let flipped = 0;
    const t = new T.RandomHorizontalFlip();
    for (let k = 0; k < 2000; k++) if (t.apply(photo, Rng.derive(2, 0, k)) !== photo) flipped++;
    expect(flipped).toBeGreaterThan(900);
    expect(flipped).toBeLessThan(1100);
    expect(() => new T.RandomHorizontalFlip(1.5)).toThrow(/p must be in/);
  });
});

describe('RandomShortestSize / RandomResize follow torchvision.transforms.v2', () => {
  const cases = JSON.parse(readFileSync(join(GOLDEN_DIR, 'shortestSize.json'), 'utf8')) as Array<{
    height: number; width: number; minSize: number; maxSize: number | null; out: [number, number];
  }>;
  test('output sizes equal v2 _get_params arithmetic', () => {
    expect(cases.length).toBeGreaterThan(100);
    for (const c of cases) {
      const t = new T.RandomShortestSize(c.minSize, { maxSize: c.maxSize ?? undefined });
      expect(t.outputSize(c.height, c.width, c.minSize)).toEqual(c.out);
    }
  });

  test('a list picks only listed sizes (torchvision), range() samples every integer, inclusive (paper)', () => {
    const img = T.createImage(30, 40, 3, 1);
    const listed = new T.RandomShortestSize([20, 36]);
    const ranged = T.RandomShortestSize.range(20, 36);
    const a = new Set<number>();
    const b = new Set<number>();
    for (let k = 0; k < 300; k++) {
      a.add(listed.apply(img, Rng.derive(4, 0, k)).height);
      b.add(ranged.apply(img, Rng.derive(4, 0, k)).height);
    }
    expect([...a].sort((x, y) => x - y)).toEqual([20, 36]);
    expect([...b].sort((x, y) => x - y)).toEqual(Array.from({ length: 17 }, (_, i) => 20 + i));
  });

  test('pixels: resize to the v2 size with antialias', () => {
    const t = new T.RandomShortestSize([16, 18, 30]);
    for (let k = 0; k < 10; k++) {
      const rng = new Rng(k);
      const s = [16, 18, 30][rng.clone().randint(0, 3)];
      expect(same(t.apply(photo, rng), T.resize(photo, t.outputSize(photo.height, photo.width, s)))).toBe(true);
    }
  });

  test('RandomResize: upper bound exclusive; sizes equal F.resize(img, s)', () => {
    const sizes = JSON.parse(readFileSync(join(GOLDEN_DIR, 'resizeSizes.json'), 'utf8')) as Array<{ height: number; width: number; size: number; out: number[] }>;
    for (const c of sizes) expect(T.resizedOutputSize(c.height, c.width, c.size)).toEqual(c.out);
    const img = T.createImage(30, 40, 3, 1);
    const t = new T.RandomResize(20, 23);
    const seen = new Set<number>();
    for (let k = 0; k < 200; k++) seen.add(t.apply(img, Rng.derive(9, 0, k)).height);
    expect([...seen].sort()).toEqual([20, 21, 22]);
  });
});

describe('deterministic transforms', () => {
  test('TenCrop / FiveCrop / Resize / CenterCrop delegate to the golden-tested functions', () => {
    const crops = new T.TenCrop(16).apply(photo);
    expect(crops).toHaveLength(10);
    T.tenCrop(photo, 16).forEach((c, i) => expect(same(c, crops[i])).toBe(true));
    expect(same(crops[5], T.crop(T.hflip(photo), 0, 0, 16, 16))).toBe(true);
    expect(new T.FiveCrop([10, 12]).apply(photo)).toHaveLength(5);
    expect(same(new T.Resize(12).apply(photo), T.resize(photo, 12))).toBe(true);
    expect(same(new T.CenterCrop(8).apply(photo), T.centerCrop(photo, 8))).toBe(true);
  });
});

describe('RandomResizedCrop', () => {
  test('boxes lie inside the image and outputs have the requested size', () => {
    const t = new T.RandomResizedCrop([12, 14]);
    for (let k = 0; k < 200; k++) {
      const [i, j, h, w] = t.getParams(photo.height, photo.width, Rng.derive(3, 0, k));
      expect(i >= 0 && j >= 0 && h > 0 && w > 0 && i + h <= photo.height && j + w <= photo.width).toBe(true);
    }
    const out = t.apply(photo, new Rng(1));
    expect([out.height, out.width, out.channels]).toEqual([12, 14, 3]);
  });
  test('falls back to the central crop with the clamped ratio (torchvision)', () => {
    const t = new T.RandomResizedCrop(8, { scale: [5, 6] }); // impossible areas: every try fails
    expect(t.getParams(100, 400, new Rng(0))).toEqual([0, 133, 100, 133]);
    expect(t.getParams(40, 30, new Rng(0))).toEqual([0, 0, 40, 30]);
  });
});

describe('colour transforms', () => {
  test('ColorJitter applies the drawn factors in the drawn order', () => {
    const t = new T.ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 });
    for (let k = 0; k < 10; k++) {
      const rng = new Rng(k);
      const [order, b, c, s, h] = t.getParams(rng.clone());
      let expected = photo;
      for (const f of order) {
        if (f === 0) expected = T.adjustBrightness(expected, b!);
        if (f === 1) expected = T.adjustContrast(expected, c!);
        if (f === 2) expected = T.adjustSaturation(expected, s!);
        if (f === 3) expected = T.adjustHue(expected, h!);
      }
      expect(same(t.apply(photo, rng), expected)).toBe(true);
      expect(b! >= 0.6 && b! <= 1.4 && h! >= -0.1 && h! <= 0.1).toBe(true);
    }
    expect(() => new T.ColorJitter({ hue: 0.7 })).toThrow(/hue/);
  });

  test('Lighting draws alpha ~ N(0, 0.1) and applies pcaLighting', () => {
    const t = new T.Lighting();
    const rng = new Rng(5);
    const probe = rng.clone();
    const alpha = [probe.normal(0, 0.1), probe.normal(0, 0.1), probe.normal(0, 0.1)];
    expect(same(t.apply(photo, rng), T.pcaLighting(photo, alpha))).toBe(true);
    expect(T.lightingOffset([1, 0, 0]).map((v) => +v.toFixed(6))).toEqual([-0.123431, -0.126324, -0.126933]);
  });

  test('RandomErasing erases one in-bounds box (uint8 and float HWC)', () => {
    const img = T.createImage(20, 30, 3, 200);
    const t = new T.RandomErasing({ p: 1, value: [1, 2, 3] });
    const out = t.apply(img, new Rng(2)) as Image;
    const erased = [];
    for (let p = 0; p < 600; p++) if (out.data[3 * p] === 1) erased.push(p);
    expect(erased.length).toBeGreaterThan(0);
    expect(out.data[3 * erased[0] + 2]).toBe(3);
    const [i, j, h, w] = t.getParams(20, 30, (() => { const r = new Rng(2); r.uniform(); return r; })())!;
    expect(erased.length).toBe(h * w);
    expect(erased[0]).toBe(i * 30 + j);
    const f = new T.Normalize({ mean: [0, 0, 0] }).apply(img);
    const fo = new T.RandomErasing({ p: 1, value: 'random' }).apply(f, new Rng(2));
    expect(fo.data.some((v, k) => v !== f.data[k])).toBe(true);
    expect(new T.RandomErasing({ p: 0 }).apply(img, new Rng(0))).toBe(img);
  });

  test('Normalize with a per-pixel mean image (He et al. CIFAR)', () => {
    const img = T.createImage(2, 2, 3, 51);
    const mean = new Float32Array(12).fill(0.1);
    mean[5] = 0.2;
    const out = new T.Normalize({ mean }).apply(img);
    expect(out.data[0]).toBeCloseTo(0.1, 6);
    expect(out.data[5]).toBeCloseTo(0.0, 6);
    const chw = new T.Normalize({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], layout: 'CHW' }).apply(img);
    expect(chw.layout).toBe('CHW');
    expect(chw.data[0]).toBeCloseTo((0.2 - 0.5) / 0.5, 6);
  });
});

describe('reproducibility whatever the worker layout', () => {
  test('per-sample Rng.derive(seed, epoch, index) gives identical outputs in any processing order', () => {
    const pipeline = new T.Compose([
      new T.RandomCrop(24, { padding: 4 }),
      new T.RandomHorizontalFlip(),
      new T.AutoAugment({ policy: 'cifar10' }),
      new T.ColorJitter({ brightness: 0.2 }),
      new T.Normalize({ mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] }),
    ]);
    const run = (order: number[]): Map<number, Float32Array> => {
      const m = new Map<number, Float32Array>();
      for (const idx of order) m.set(idx, pipeline.apply(inputs[idx % 3], Rng.derive(1234, 3, idx)).data);
      return m;
    };
    const a = run([0, 1, 2, 3, 4, 5, 6, 7]);
    const b = run([7, 5, 3, 1, 6, 4, 2, 0]); // e.g. two workers interleaved
    for (let i = 0; i < 8; i++) expect(b.get(i)).toEqual(a.get(i));
    expect(a.get(0)).not.toEqual(a.get(3)); // same image, different sample index -> different augmentation
  });
  test('Compose validates its elements', () => {
    expect(() => new T.Compose([{} as never])).toThrow(/element 0/);
  });
});

describe('Compose fuses resize + crop without changing a single byte', () => {
  const big = T.resize(inputs[1], [60, 80]);
  const gray = T.resize(inputs[3], [50, 40]);
  const pairs: Array<[string, () => [T.Transform<any, any>, T.Transform<any, any>]]> = [
    ['RandomShortestSize.range + RandomCrop', () => [T.RandomShortestSize.range(30, 48), new T.RandomCrop(28)]],
    ['RandomShortestSize list + maxSize + RandomCrop', () => [new T.RandomShortestSize([30, 40], { maxSize: 50 }), new T.RandomCrop([20, 24])]],
    ['Resize + CenterCrop', () => [new T.Resize(36), new T.CenterCrop(32)]],
    ['Resize(bicubic) + CenterCrop', () => [new T.Resize(36, { interpolation: 'bicubic' }), new T.CenterCrop([30, 31])]],
    ['Resize(bilinear, no antialias) + RandomCrop', () => [new T.Resize(70, { antialias: false }), new T.RandomCrop(50)]],
    ['Resize(nearest) + RandomCrop', () => [new T.Resize([33, 47], { interpolation: 'nearest' }), new T.RandomCrop(20)]],
    ['RandomResize + RandomCrop', () => [new T.RandomResize(30, 45), new T.RandomCrop(29)]],
    ['Resize + CenterCrop larger than image (unfusable, padded)', () => [new T.Resize(20), new T.CenterCrop(30)]],
    ['Resize + RandomCrop with padding (unfusable)', () => [new T.Resize(30), new T.RandomCrop(30, { padding: 2 })]],
    ['same size (identity resize) + RandomCrop', () => [new T.Resize([60, 80]), new T.RandomCrop(16)]],
  ];
  test.each(pairs)('%s', (_name, make) => {
    const [a, b] = make();
    const fused = new T.Compose([a, b, new T.RandomHorizontalFlip()]);
    for (const img of [big, gray]) {
      for (let k = 0; k < 6; k++) {
        const r1 = Rng.derive(8, 2, k);
        const r2 = Rng.derive(8, 2, k);
        const unfused = new T.RandomHorizontalFlip().apply(b.apply(a.apply(img, r1), r1), r1);
        expect(same(fused.apply(img, r2), unfused)).toBe(true);
        expect(r1.nextUint32()).toBe(r2.nextUint32()); // same number of draws
      }
    }
  });

  test('resizeWindow equals crop(resize) and validates the box', () => {
    for (const opts of [{}, { interpolation: 'bicubic' as const }, { antialias: false }, { interpolation: 'nearest' as const }]) {
      const full = T.resize(big, [45, 70], opts);
      expect(same(T.resizeWindow(big, [45, 70], 3, 5, 30, 40, opts), T.crop(full, 3, 5, 30, 40))).toBe(true);
    }
    expect(() => T.resizeWindow(big, [45, 70], 20, 0, 30, 10)).toThrow(/outside/);
  });
});

describe('normalize on float images', () => {
  test('equals normalizeToFloat32 for per-channel stats, HWC and CHW, and supports per-pixel means', () => {
    for (const layout of ['HWC', 'CHW'] as const) {
      const f = T.toFloatImage(photo, { mean: [0, 0, 0], layout });
      const a = T.normalize(f, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
      const b = T.normalizeToFloat32(photo, { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout });
      expect(Array.from(a.data)).toEqual(Array.from(b));
    }
    const f = T.toFloatImage(photo, { mean: [0, 0, 0] });
    const meanImg = f.data.slice();
    expect(T.normalize(f, meanImg).data.every((v) => v === 0)).toBe(true);
    expect(() => T.normalize(f, [0, 0])).toThrow(/mean has 2/);
  });
});

describe('RandomRotation / RandomAffine', () => {
  test('apply the drawn parameters through the golden-tested rotate/affine', () => {
    const rot = new T.RandomRotation([-20, 30], { interpolation: 'bilinear', fill: 9 });
    const aff = new T.RandomAffine(10, { translate: [0.2, 0.1], scale: [0.8, 1.2], shear: [-5, 5, -3, 3] });
    for (let k = 0; k < 10; k++) {
      const rng = new Rng(k);
      const angle = rng.clone().uniformRange(-20, 30);
      expect(angle >= -20 && angle < 30).toBe(true);
      expect(same(rot.apply(photo, rng), T.rotate(photo, angle, { interpolation: 'bilinear', fill: 9 }))).toBe(true);
      const r2 = new Rng(100 + k);
      const [a, tr, sc, sh] = aff.getParams(photo.height, photo.width, r2.clone());
      expect(Math.abs(tr[0]) <= 0.2 * photo.width && Math.abs(tr[1]) <= 0.1 * photo.height && sc >= 0.8 && sc <= 1.2).toBe(true);
      expect(Number.isInteger(tr[0]) && Math.abs(sh[1]) <= 3 && Math.abs(a) <= 10).toBe(true);
      expect(same(aff.apply(photo, r2), T.affine(photo, a, tr, sc, sh))).toBe(true);
    }
    expect(() => new T.RandomAffine(5, { translate: [2, 0] })).toThrow(/translate/);
  });
});

describe('MultiScaleTenCrop', () => {
  test('10 crops per scale, equal to Resize(s) + TenCrop(size)', () => {
    const t = new T.MultiScaleTenCrop({ scales: [16, 20, 30], size: 14 });
    const crops = t.apply(photo);
    expect(crops).toHaveLength(30);
    [16, 20, 30].forEach((s, k) => {
      const ref = T.tenCrop(T.resize(photo, s), 14);
      ref.forEach((c, i) => expect(same(crops[k * 10 + i], c)).toBe(true));
    });
    expect(new T.MultiScaleTenCrop().scales).toEqual([224, 256, 384, 480, 640]);
  });
});
