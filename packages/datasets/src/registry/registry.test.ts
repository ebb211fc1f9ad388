import { DATASET_NAMES, classNamesFor, datasetInfo } from './index';
import { FashionMNIST } from '../mnist/mnist';

describe('dataset registry', () => {
  it.each([...DATASET_NAMES])('%s: consistent entry', (name) => {
    const info = datasetInfo(name);
    expect(info.name).toBe(name);
    expect(info.classNames).toHaveLength(info.numClasses);
    expect(new Set(info.classNames).size).toBe(info.numClasses);
    expect(info.mean).toHaveLength(info.channels);
    expect(info.std).toHaveLength(info.channels);
    expect(info.splits.train).toBeGreaterThan(info.splits.test);
  });

  it('Fashion-MNIST statistics are those of the real training images (Debian dataset-fashion-mnist)', async () => {
    const train = await FashionMNIST.load({ split: 'train' });
    expect(train.length).toBe(datasetInfo('fashion-mnist').splits.train);
    let sum = 0;
    let sq = 0;
    let n = 0;
    for (let i = 0; i < train.length; i++) {
      const { data } = train.get(i).image!;
      for (let j = 0; j < data.length; j++) {
        const v = data[j]! / 255;
        sum += v;
        sq += v * v;
      }
      n += data.length;
    }
    const mean = sum / n;
    const std = Math.sqrt(sq / n - mean * mean);
    const info = datasetInfo('fashion-mnist');
    expect(Math.abs(mean - info.mean[0]!)).toBeLessThan(1e-3);
    expect(Math.abs(std - info.std[0]!)).toBeLessThan(1e-3);
  });

  it('names unknown datasets and guesses class names from a head', () => {
    expect(() => datasetInfo('mnist10')).toThrow(/unknown dataset 'mnist10' \(known: cifar10, cifar100, fashion-mnist, imagenet, fake\)/);
    expect(classNamesFor({ numClasses: 10, inChannels: 1 })?.[1]).toBe('Trouser');
    expect(classNamesFor({ numClasses: 10, inChannels: 3 })?.[3]).toBe('cat');
    expect(classNamesFor({ numClasses: 1000, inChannels: 3 })?.[207]).toBe('golden retriever');
    expect(classNamesFor({ numClasses: 7, inChannels: 3 })).toBeUndefined();
  });
});

describe('datasetInfo(name).load', () => {
  it('loads real Fashion-MNIST by name, and names the directory when a dataset is absent', async () => {
    const { datasetInfo } = await import('./index');
    const test = await datasetInfo('fashion-mnist').load({ split: 'test' });
    expect(test.length).toBe(10000);
    await expect(datasetInfo('imagenet').load({ split: 'test', root: '/nonexistent/imagenet' })).rejects.toThrow(
      /\/nonexistent\/imagenet\/val: ImageNet not found/,
    );
    await expect(datasetInfo('cifar10').load({ split: 'train', root: '/nonexistent/cifar' })).rejects.toThrow(/\/nonexistent\/cifar/);
  });

  it("gives the fake dataset its registered shape and sizes, deterministically", async () => {
    const { datasetInfo } = await import('./index');
    const a = await datasetInfo('fake').load({ split: 'train' });
    const b = await datasetInfo('fake').load({ split: 'train' });
    expect(a.length).toBe(512);
    const [x, y] = [await a.get(5), await b.get(5)];
    expect(x.image).toMatchObject({ height: 32, width: 32, channels: 3 });
    expect(Array.from(x.image!.data)).toEqual(Array.from(y.image!.data));
    expect((await datasetInfo('fake').load({ split: 'test' })).length).toBe(128);
  });
});
