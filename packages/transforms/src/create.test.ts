import { Rng } from '@residual/random';
import { createImage } from './image';
import { AutoAugment } from './autoaugment/transforms';
import { Compose } from './transforms/base';
import { CenterCrop, RandomCrop, RandomHorizontalFlip, RandomShortestSize, Resize } from './transforms/geometry';
import { createTransform, IMAGE_TRANSFORM_NAMES, type ImageTransformSpec } from './create';

function image(h: number, w: number) {
  const img = createImage(h, w, 3);
  for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37 + 11) % 251;
  return img;
}

const run = (t: { apply(i: ReturnType<typeof image>, r: Rng): ReturnType<typeof image> }, seed: number) => t.apply(image(40, 36), Rng.derive(seed, 0, 3));

describe('createTransform', () => {
  const SPECS: ImageTransformSpec[] = [
    { name: 'RandomCrop', size: 32, padding: 4, paddingMode: 'reflect' },
    { name: 'RandomHorizontalFlip', p: 0.7 },
    { name: 'RandomResizedCrop', size: 24, scale: [0.5, 1] },
    { name: 'RandomShortestSize', minSizeRange: [20, 30], maxSize: 50 },
    { name: 'Resize', size: 30 },
    { name: 'CenterCrop', size: 20 },
    { name: 'AutoAugment', policy: 'CIFAR10' },
  ];

  it('covers every name, and a list builds the Compose of the classes, same draws, same bytes', () => {
    expect(SPECS.map((s) => s.name)).toEqual([...IMAGE_TRANSFORM_NAMES]);
    const list: ImageTransformSpec[] = [{ name: 'RandomCrop', size: 32, padding: 4 }, { name: 'RandomHorizontalFlip' }, { name: 'AutoAugment', policy: 'CIFAR10' }];
    const direct = new Compose([new RandomCrop(32, { padding: 4 }), new RandomHorizontalFlip(), new AutoAugment({ policy: 'cifar10' })]);
    for (let seed = 0; seed < 5; seed++) expect(Array.from(run(createTransform(list), seed).data)).toEqual(Array.from(run(direct, seed).data));
    // minSizeRange is every integer of the range, inclusive.
    const rss = createTransform({ name: 'RandomShortestSize', minSizeRange: [20, 30] });
    const ref = new RandomShortestSize(Array.from({ length: 11 }, (_, i) => 20 + i), { rounding: 'exact' });
    for (let seed = 0; seed < 5; seed++) expect(run(rss, seed).height).toBe(run(ref, seed).height);
    expect(run(createTransform([{ name: 'Resize', size: 30 }, { name: 'CenterCrop', size: 20 }]), 0)).toEqual(run(new Compose([new Resize(30), new CenterCrop(20)]), 0));
    // Every spec builds and runs.
    for (const s of SPECS) expect(run(createTransform(s), 1).data.length).toBeGreaterThan(0);
  });

  it('an empty list is the identity; unknown names and the loader steps are refused with the names known', () => {
    const img = image(8, 8);
    expect(createTransform([]).apply(img, Rng.derive(0))).toEqual(img);
    expect(() => createTransform({ name: 'ColourJitter' } as never)).toThrow(/unknown transform 'ColourJitter'; known: RandomCrop, /);
    expect(() => createTransform([{ name: 'Normalize' } as never])).toThrow(/Normalize is the loader's job/);
    expect(() => createTransform({ name: 'RandomShortestSize' })).toThrow(/needs minSize or minSizeRange/);
  });

  it("RandomShortestSize specs draw the paper's uniform shorter sides; torchvision's arithmetic skips some", () => {
    const sizes = Array.from({ length: 225 }, (_, i) => 256 + i);
    const exact = new RandomShortestSize(sizes, { rounding: 'exact' });
    const tv = new RandomShortestSize(sizes);
    const shorter = (t: RandomShortestSize) => sizes.map((s) => Math.min(...t.outputSize(375, 500, s)));
    // The 375×500 example: every size once in exact mode, 15 lost to truncation in torchvision's.
    expect(new Set(shorter(exact)).size).toBe(225);
    expect(shorter(exact)).toEqual(sizes);
    expect(225 - new Set(shorter(tv)).size).toBe(15);
    expect(exact.outputSize(375, 500, 300)).toEqual([300, 400]);
    expect(exact.outputSize(500, 375, 300)).toEqual([400, 300]);
    // maxSize still caps the longer edge (then both edges scale as torchvision does).
    expect(new RandomShortestSize([480], { rounding: 'exact', maxSize: 600 }).outputSize(375, 500, 480)).toEqual([450, 600]);
    // The spec's default is exact; the class's stays torchvision's.
    const spec = createTransform({ name: 'RandomShortestSize', minSize: 300 }) as RandomShortestSize;
    expect(spec.options.rounding).toBe('exact');
    expect(new RandomShortestSize(300).options.rounding).toBeUndefined();
  });
});
