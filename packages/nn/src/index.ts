export { Module } from './module';
export type { LoadStateDictOptions, LoadStateDictResult } from './module';
export { Conv2d } from './layers/conv';
export type { Conv2dOptions } from './layers/conv';
export { BatchNorm2d } from './layers/batchnorm';
export type { BatchNorm2dOptions } from './layers/batchnorm';
export { Linear } from './layers/linear';
export type { LinearOptions } from './layers/linear';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './layers/pooling';
export type { Pool2dOptions, AvgPool2dOptions } from './layers/pooling';
export { ReLU, Identity, Flatten, Dropout } from './layers/basic';
export type { DropoutOptions } from './layers/basic';
export { Sequential, ModuleList } from './layers/sequential';
export { conv2d, explicitPadding, pair } from './functional/conv';
export type { Size2, Padding2d } from './functional/conv';
export { batchNormTrain, batchNormEval } from './functional/batchnorm';
export type { BatchNormActOptions, RunningStats } from './functional/batchnorm';
export { initTensor, uniformBias, fans } from './init';
export type { InitScheme } from './init';
export {
  BasicBlock,
  Bottleneck,
  ResidualBlock,
  PreActBasicBlock,
  PreActBottleneck,
  WideBasicBlock,
} from './blocks';
export type { BlockOptions, ShortcutType } from './blocks';
export { subsample, shortcutA } from './functional/shortcut';
export {
  encodeSafetensors,
  decodeSafetensors,
  readSafetensorsHeader,
  SafetensorsError,
} from './safetensors/format';
export type {
  SafetensorsDtype,
  SafetensorsEntry,
  SafetensorsHeader,
  DecodeOptions,
  EncodeOptions,
} from './safetensors/format';
export { saveSafetensors, loadSafetensors } from './safetensors/file';
export { decodePth, PthError } from './weights/pth';
export { decodeWeights, isPthBytes, loadWeights, renameKeys } from './weights/load';
export { foldBatchNorm } from './inference/fold-batchnorm';
export type { FoldedModel } from './inference/fold-batchnorm';
