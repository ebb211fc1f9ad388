// Dataset facts live in @residual/datasets' registry; the CLI re-exports the class names it has always
// exported.
export { CIFAR10_CLASSES, CIFAR100_CLASSES, FASHION_MNIST_CLASSES, IMAGENET_CLASSES, classNamesFor } from '@residual/datasets';
