/**
 * `@residual/zoo`: every ResNet of He et al. (2016) and torchvision, with a registry and model cards.
 *
 * @example
 * ```ts
 * import { createModel, listModels, getModelCard } from '@residual/zoo';
 * const net = createModel('resnet56', { numClasses: 10 });
 * getModelCard('resnet56').referenceAccuracy; // { top1Error: 6.97, dataset: 'CIFAR-10 test', … }
 * ```
 * @packageDocumentation
 */
export {
  registerModel,
  createModel,
  listModels,
  getModelCard,
  hasModel,
  modelOptions,
} from './registry';
export type {
  ModelCard,
  ModelFamily,
  ModelFactory,
  CreateModelOptions,
  ReferenceAccuracy,
  RegisterModelOptions,
} from './registry';
export { countMacs } from './macs';
export type { MacsReport } from './macs';
export { ResNet, PreActResNet, WideBasicBlock } from './nets/resnet';
export type { ResNetConfig, PreActResNetConfig } from './nets/resnet';
// Each model file registers its networks when imported.
export * from './models/cifar_resnet';
export * from './models/resnet';
export * from './models/preact_resnet';
export * from './models/wide_resnet';
export * from './models/resnext';
