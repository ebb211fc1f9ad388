import { IMAGENET_CLASSES } from './imagenet';

/**
 * CIFAR-10 class names, in label order.
 *
 * @example
 * ```ts
 * import { CIFAR10_CLASSES } from '@residual/cli';
 * CIFAR10_CLASSES[3]; // 'cat'
 * ```
 */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/**
 * Fashion-MNIST class names, in label order.
 *
 * @example
 * ```ts
 * import { FASHION_MNIST_CLASSES } from '@residual/cli';
 * FASHION_MNIST_CLASSES[9]; // 'Ankle boot'
 * ```
 */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/**
 * CIFAR-100 fine class names, in label order (alphabetical, as the dataset's meta file lists them).
 *
 * @example
 * ```ts
 * import { CIFAR100_CLASSES } from '@residual/cli';
 * CIFAR100_CLASSES[0]; // 'apple'
 * CIFAR100_CLASSES.length; // 100
 * ```
 */
export const CIFAR100_CLASSES = (
  'apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can ' +
  'castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin ' +
  'elephant flatfish forest fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster ' +
  'man maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck ' +
  'pine_tree plain plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk ' +
  'skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank telephone television tiger ' +
  'tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm'
).split(' ');

export { IMAGENET_CLASSES };

/** The class names of a model's outputs, guessed from its class count, channels and dataset. */
export function classNamesFor(e: { numClasses: number; inChannels: number; dataset?: string | undefined }): readonly string[] | undefined {
  const ds = (e.dataset ?? '').toLowerCase();
  if (e.numClasses === 1000) return IMAGENET_CLASSES;
  if (e.numClasses === 100) return CIFAR100_CLASSES;
  if (e.numClasses === 10) return e.inChannels === 1 || ds.includes('fashion') ? FASHION_MNIST_CLASSES : CIFAR10_CLASSES;
  return undefined;
}
