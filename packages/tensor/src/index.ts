import './register';
import * as tf from '@tensorflow/tfjs-core';

/** tfjs-core, with every gradient and chained op registered. Use this, never a second import of tfjs. */
export { tf };
export type { Tensor, Variable, Rank, DataType, TensorLike, NamedTensorMap } from '@tensorflow/tfjs-core';
export {
  BACKENDS,
  BackendUnavailableError,
  availableBackends,
  backendInfo,
  backendRequirements,
  registerBackendProvider,
  useBackend,
} from './backends';
export type { AdapterDescription, BackendInfo, BackendName, BackendProvider } from './backends';
export { seed } from './seed';
export { toHost } from './host';
export { nodeBuiltin } from './node-builtin';
export type { NodeBuiltins } from './node-builtin';
export { hasKernel, replaceKernels, replacedKernels, stockKernel } from './kernel-replacement';
export {
  BatchNormTraining,
  BatchNormTrainingGrad,
  batchNormTraining,
  batchNormTrainingGradConfig,
} from './fused/batch-norm-training';
export type { BatchNormTrainingAttrs, BatchNormTrainingOptions } from './fused/batch-norm-training';
export { BatchNormRunningStats, batchNormRunningStats, runningStatsWeights } from './fused/batch-norm-running-stats';
export type { BatchNormRunningStatsAttrs } from './fused/batch-norm-running-stats';
export { ReluGrad, reluGradConfig } from './fused/relu-grad';
export { ResidualConv2D, residualConv2d, residualConv2dGradConfig } from './fused/residual-conv2d';
export type { ResidualConv2DArgs, ResidualConv2DAttrs } from './fused/residual-conv2d';
export { SGDStep, sgdStep } from './fused/sgd-step';
export type { SGDStepAttrs } from './fused/sgd-step';
export { globalRng, Rng } from '@residual/random';
export { assertSingleTfjsCore, tfjsVersions } from './single-core';
