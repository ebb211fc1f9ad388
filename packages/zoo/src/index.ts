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
  COMMON_MODEL_OPTIONS,
  getWeights,
} from './registry';
export { fetchWeights, weightsCacheDir } from './weights/hub';
export type { FetchWeightsOptions, FetchedWeights } from './weights/hub';
export type { PretrainedWeights, WeightsPreprocessing } from './weights/types';
export type {
  ModelCard,
  ModelFamily,
  ModelFactory,
  ModelDefinition,
  ModelSpec,
  ModelOptions,
  FamilyOption,
  CreateModelOptions,
  ReferenceAccuracy,
} from './registry';
export { countMacs } from './macs';
export type { MacsReport } from './macs';
// One file per family, as torchvision's models/: the network class, then a factory per registered
// model, each registering itself when the file is imported.
export * from './models/resnet';
export * from './models/cifar-resnet';
export * from './models/preact-resnet';
export * from './models/wide-resnet';
