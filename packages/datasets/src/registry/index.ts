import { CIFAR10_CLASSES } from '../cifar/resources';
import { FASHION_MNIST_CLASSES } from '../mnist/mnist';
import { IMAGENET_CLASSES } from './imagenet-classes';
import { loadDataset } from './load';
import { DATASET_NAMES, type DatasetInfo, type DatasetName } from './types';

export { DATASET_NAMES };
export type { DatasetInfo, DatasetName };

export { IMAGENET_CLASSES };

/**
 * CIFAR-100 fine class names, in label order (alphabetical, as the dataset's meta file lists them).
 *
 * @example
 * ```ts
 * import { CIFAR100_CLASSES } from '@residual/datasets';
 * CIFAR100_CLASSES[0]; // 'apple'
 * ```
 */
export const CIFAR100_CLASSES: readonly string[] = (
  'apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can ' +
  'castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin ' +
  'elephant flatfish forest fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster ' +
  'man maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck ' +
  'pine_tree plain plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk ' +
  'skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank telephone television tiger ' +
  'tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm'
).split(' ');

const TEN = Array.from({ length: 10 }, (_, i) => `class ${i}`);

const FACTS: Record<DatasetName, Omit<DatasetInfo, 'load'>> = {
  cifar10: {
    name: 'cifar10', numClasses: 10, classNames: CIFAR10_CLASSES, channels: 3, height: 32, width: 32,
    splits: { train: 50000, test: 10000 }, mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616],
  },
  cifar100: {
    name: 'cifar100', numClasses: 100, classNames: CIFAR100_CLASSES, channels: 3, height: 32, width: 32,
    splits: { train: 50000, test: 10000 }, mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762],
  },
  'fashion-mnist': {
    name: 'fashion-mnist', numClasses: 10, classNames: FASHION_MNIST_CLASSES, channels: 1, height: 28, width: 28,
    splits: { train: 60000, test: 10000 }, mean: [0.286], std: [0.353],
  },
  imagenet: {
    name: 'imagenet', numClasses: 1000, classNames: IMAGENET_CLASSES, channels: 3, height: 256, width: 256,
    splits: { train: 1281167, test: 50000 }, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
  },
  fake: {
    name: 'fake', numClasses: 10, classNames: TEN, channels: 3, height: 32, width: 32,
    splits: { train: 512, test: 128 }, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5],
  },
};

const INFO = Object.fromEntries(
  Object.entries(FACTS).map(([k, facts]) => {
    const info: DatasetInfo = { ...facts, load: (options) => loadDataset(info, options) };
    return [k, info];
  }),
) as Record<DatasetName, DatasetInfo>;

/**
 * The registry entry of a dataset: classes, channels, image size, split sizes, normalisation. Every
 * package reads dataset facts from here (the CLI's recipes, eval and predict).
 *
 * @example
 * ```ts
 * import { datasetInfo } from '@residual/datasets';
 * datasetInfo('fashion-mnist').mean; // [0.286]
 * const test = await datasetInfo('cifar10').load({ split: 'test', root: 'data/cifar10' });
 * ```
 */
export function datasetInfo(name: string): DatasetInfo {
  const info = (INFO as Record<string, DatasetInfo | undefined>)[name];
  if (!info) throw new Error(`@residual/datasets: unknown dataset '${name}' (known: ${DATASET_NAMES.join(', ')})`);
  return info;
}

/**
 * The class names of a model's outputs, guessed from its class count, input channels and dataset name.
 *
 * @example
 * ```ts
 * import { classNamesFor } from '@residual/datasets';
 * classNamesFor({ numClasses: 10, inChannels: 1 })?.[1]; // 'Trouser'
 * ```
 */
export function classNamesFor(e: { numClasses: number; inChannels: number; dataset?: string | undefined }): readonly string[] | undefined {
  const ds = (e.dataset ?? '').toLowerCase();
  if (e.numClasses === 1000) return IMAGENET_CLASSES;
  if (e.numClasses === 100) return CIFAR100_CLASSES;
  if (e.numClasses === 10) return e.inChannels === 1 || ds.includes('fashion') ? FASHION_MNIST_CLASSES : CIFAR10_CLASSES;
  return undefined;
}
