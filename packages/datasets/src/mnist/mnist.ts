import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from '../errors';
import { readIdx } from '../io/idx';
import { ArrayDataset, type ImageShape } from '../memory';

/** Options of {@link MNIST.load} and {@link FashionMNIST.load}. */
export interface MNISTOptions {
  /**
   * Directory holding the four IDX files (gzipped or not; torchvision's `<root>/<Name>/raw` layout also
   * works). Default: searched in `$RESIDUAL_DATA/<name>`, `~/.cache/residual/<name>` and, for
   * Fashion-MNIST, `/usr/share/datasets/fashion-mnist` (Debian's `dataset-fashion-mnist`).
   */
  root?: string;
  /** `'train'` (60,000 images) or `'test'` (10,000). Default `'train'`. */
  split?: 'train' | 'test';
}

/**
 * Fashion-MNIST class names, by label (as torchvision).
 * @example
 * ```ts
 * import { FASHION_MNIST_CLASSES } from '@residual/datasets';
 * FASHION_MNIST_CLASSES[9]; // 'Ankle boot'
 * ```
 */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

/**
 * MNIST class names, by label (as torchvision).
 * @example
 * ```ts
 * import { MNIST_CLASSES } from '@residual/datasets';
 * MNIST_CLASSES[7]; // '7 - seven'
 * ```
 */
export const MNIST_CLASSES = [
  '0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine',
] as const;

const FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

/** Candidate directories for a dataset named `name` (e.g. `'fashion-mnist'`), most specific first. */
export function defaultRoots(name: string, torchvisionName: string, extra: string[] = []): string[] {
  const roots: string[] = [];
  if (process.env.RESIDUAL_DATA) roots.push(join(process.env.RESIDUAL_DATA, name), join(process.env.RESIDUAL_DATA, torchvisionName, 'raw'));
  roots.push(join(homedir(), '.cache', 'residual', name));
  return [...roots, ...extra];
}

function findFile(dir: string, base: string): string | undefined {
  for (const cand of [join(dir, base), join(dir, `${base}.gz`)]) if (existsSync(cand)) return cand;
  return undefined;
}

function resolveDir(name: string, torchvisionName: string, options: MNISTOptions, extra: string[]): string {
  const base = FILES[options.split ?? 'train'][0];
  const candidates = options.root
    ? [options.root, join(options.root, torchvisionName, 'raw')]
    : defaultRoots(name, torchvisionName, extra);
  for (const dir of candidates) if (findFile(dir, base)) return dir;
  throw new DatasetError(
    options.root ?? candidates.join(', '),
    `no ${base}[.gz] found${options.root ? '' : ` (searched: ${candidates.join(', ')})`}` +
      (name === 'fashion-mnist' ? '; on Debian/Ubuntu: apt-get install dataset-fashion-mnist' : ''),
  );
}

async function loadIdxPair(dir: string, split: 'train' | 'test', classes: readonly string[]): Promise<[Uint8Array, Uint8Array, ImageShape]> {
  const [imgBase, lblBase] = FILES[split];
  const imgFile = findFile(dir, imgBase) ?? join(dir, imgBase);
  const lblFile = findFile(dir, lblBase) ?? join(dir, lblBase);
  const [images, labels] = await Promise.all([readIdx(imgFile, 3), readIdx(lblFile, 1)]);
  const [n, h, w] = images.dims;
  if (labels.dims[0] !== n) {
    throw new DatasetError(lblFile, `holds ${labels.dims[0]} labels but ${imgFile} holds ${n} images`);
  }
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i] >= classes.length) throw new DatasetError(lblFile, `label ${labels.data[i]} at index ${i} is not in 0..${classes.length - 1}`);
  }
  return [images.data, labels.data, { height: h, width: w, channels: 1 }];
}

/**
 * MNIST handwritten digits from the IDX files (28×28×1 uint8).
 *
 * @example
 * ```ts
 * const test = await MNIST.load({ root: '/data/mnist', split: 'test' });
 * test.length; // 10000
 * ```
 */
export class MNIST extends ArrayDataset {
  /** Read the split's IDX files. */
  static async load(options: MNISTOptions = {}): Promise<MNIST> {
    const dir = resolveDir('mnist', 'MNIST', options, []);
    const [images, labels, shape] = await loadIdxPair(dir, options.split ?? 'train', MNIST_CLASSES);
    return new MNIST(images, labels, shape, MNIST_CLASSES);
  }
}

/**
 * Where Debian's `dataset-fashion-mnist` package installs the gzipped IDX files; searched by
 * {@link FashionMNIST.load} when no `root` is given.
 * @example
 * ```ts
 * import { FashionMNIST, DEBIAN_FASHION_MNIST_DIR } from '@residual/datasets';
 * const test = await FashionMNIST.load({ root: DEBIAN_FASHION_MNIST_DIR, split: 'test' });
 * ```
 */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * Fashion-MNIST (Zalando; 28×28×1 uint8, 10 classes) from the IDX files. Without `root`, the Debian
 * package location {@link DEBIAN_FASHION_MNIST_DIR} is among the directories searched.
 *
 * @example
 * ```ts
 * const train = await FashionMNIST.load({ split: 'train' });
 * train.length;          // 60000
 * train.get(0).label;    // 9 (Ankle boot)
 * ```
 */
export class FashionMNIST extends ArrayDataset {
  /** Read the split's IDX files. */
  static async load(options: MNISTOptions = {}): Promise<FashionMNIST> {
    const dir = resolveDir('fashion-mnist', 'FashionMNIST', options, [DEBIAN_FASHION_MNIST_DIR]);
    const [images, labels, shape] = await loadIdxPair(dir, options.split ?? 'train', FASHION_MNIST_CLASSES);
    return new FashionMNIST(images, labels, shape, FASHION_MNIST_CLASSES);
  }
}
