/**
 * Where the CIFAR archives are published (Alex Krizhevsky's page); archive names are appended.
 * @example
 * ```ts
 * import { CIFAR_BASE_URL, CIFAR_LAYOUTS } from '@residual/datasets';
 * const url = CIFAR_BASE_URL + CIFAR_LAYOUTS.cifar10.binary.archive;
 * ```
 */
export const CIFAR_BASE_URL = 'https://www.cs.toronto.edu/~kriz/';

/**
 * Environment variable naming a mirror base URL that replaces {@link CIFAR_BASE_URL}
 * (the `mirror` option of {@link CIFAR10.load} wins over it).
 * @example
 * ```ts
 * import { CIFAR10, CIFAR_MIRROR_ENV } from '@residual/datasets';
 * process.env[CIFAR_MIRROR_ENV] = 'https://mirror.example.org/cifar/';
 * const train = await CIFAR10.load({ root: '/data', download: true });
 * ```
 */
export const CIFAR_MIRROR_ENV = 'RESIDUAL_CIFAR_MIRROR';

/** One published CIFAR archive layout. */
export interface CifarLayout {
  archive: string;
  md5: string;
  dir: string;
  train: string[];
  test: string[];
  /** Records per file in the published archive, same order as train/test. */
  trainCounts: number[];
  testCounts: number[];
}

const batches = (ext: string): string[] => [1, 2, 3, 4, 5].map((i) => `data_batch_${i}${ext}`);

/**
 * Published archive facts per dataset and format: archive name, MD5 (as published and used by
 * torchvision), extracted folder, batch files and their record counts.
 * @example
 * ```ts
 * import { CIFAR_LAYOUTS } from '@residual/datasets';
 * CIFAR_LAYOUTS.cifar100.python.md5; // 'eb9058c3a382ffc7106e4002c42a8d85'
 * ```
 */
export const CIFAR_LAYOUTS = {
  cifar10: {
    binary: {
      archive: 'cifar-10-binary.tar.gz',
      md5: 'c32a1d4ab5d03f1284b67883e8d87530',
      dir: 'cifar-10-batches-bin',
      train: batches('.bin'),
      test: ['test_batch.bin'],
      trainCounts: [10000, 10000, 10000, 10000, 10000],
      testCounts: [10000],
    },
    python: {
      archive: 'cifar-10-python.tar.gz',
      md5: 'c58f30108f718f92721af3b95e74349a',
      dir: 'cifar-10-batches-py',
      train: batches(''),
      test: ['test_batch'],
      trainCounts: [10000, 10000, 10000, 10000, 10000],
      testCounts: [10000],
    },
  },
  cifar100: {
    binary: {
      archive: 'cifar-100-binary.tar.gz',
      md5: '03b5dce01913d631647c71ecec9e9cb8',
      dir: 'cifar-100-binary',
      train: ['train.bin'],
      test: ['test.bin'],
      trainCounts: [50000],
      testCounts: [10000],
    },
    python: {
      archive: 'cifar-100-python.tar.gz',
      md5: 'eb9058c3a382ffc7106e4002c42a8d85',
      dir: 'cifar-100-python',
      train: ['train'],
      test: ['test'],
      trainCounts: [50000],
      testCounts: [10000],
    },
  },
} satisfies Record<string, Record<'binary' | 'python', CifarLayout>>;

/**
 * CIFAR-10 class names, by label (as torchvision).
 * @example
 * ```ts
 * import { CIFAR10_CLASSES } from '@residual/datasets';
 * CIFAR10_CLASSES[3]; // 'cat'
 * ```
 */
export const CIFAR10_CLASSES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
] as const;
