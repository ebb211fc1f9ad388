import type { KernelConfig } from '@tensorflow/tfjs-core';
import { replaceKernels, replacedKernels } from '@residual/tensor';
import { conv2DBackpropFilterConfig } from './kernels/Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './kernels/Conv2DBackpropInput';
import { sliceConfig } from './kernels/Slice';
import { padV2Config } from './kernels/PadV2';
import { maxPoolGradConfig } from './kernels/MaxPoolGrad';
import { meanConfig, sumConfig } from './kernels/Reduce';
import { oneHotConfig } from './kernels/OneHot';
import { batchNormTrainingConfig, batchNormTrainingGradConfig } from './kernels/BatchNormTraining';
import { batchNormRunningStatsConfig } from './kernels/BatchNormRunningStats';
import { identityConfig } from './kernels/Identity';
import { conv2DConfig, fusedConv2DConfig, residualConv2DConfig } from './kernels/Conv2D';
import { reluGradConfig, sgdStepConfig } from './kernels/Fused';
import { addConfig } from './kernels/Add';
import { tileConfig } from './kernels/Tile';

/**
 * The kernels `@residual/backend-wasm` adds to (or replaces in) tfjs-backend-wasm 4.22.
 *
 * @example
 * ```ts
 * import { WASM_TRAINING_KERNELS } from '@residual/backend-wasm';
 * console.log(WASM_TRAINING_KERNELS.map((k) => k.kernelName)); // ['Conv2D', 'FusedConv2D', 'ResidualConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Slice', 'PadV2', 'MaxPoolGrad', 'Sum', 'Mean', 'OneHot', 'BatchNormTraining', 'BatchNormTrainingGrad', 'BatchNormRunningStats', 'ReluGrad', 'SGDStep', 'Identity', 'Add', 'Tile']
 * ```
 */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2DConfig,
  fusedConv2DConfig,
  residualConv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  sliceConfig,
  padV2Config,
  maxPoolGradConfig,
  sumConfig,
  meanConfig,
  oneHotConfig,
  batchNormTrainingConfig,
  batchNormTrainingGradConfig,
  batchNormRunningStatsConfig,
  reluGradConfig,
  sgdStepConfig,
  identityConfig,
  addConfig,
  tileConfig,
];

/**
 * The tfjs-backend-wasm kernels {@link registerAllKernels} replaced, by kernel name (the
 * XNNPACK `Conv2D` and `FusedConv2D`, the naive `Conv2DBackpropInput`, `Slice`, `PadV2` and `MaxPoolGrad`, the float32-accumulating `Sum` and `Mean`, the int32-only `OneHot`, the copying `Identity`, the one-thread `Add`, the element-by-element `Tile`). Useful to benchmark against; never needed to train.
 *
 * @example
 * ```ts
 * import { replacedStockKernels } from '@residual/backend-wasm';
 * console.log([...replacedStockKernels().keys()]); // ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Slice', 'PadV2', 'MaxPoolGrad', 'Sum', 'Mean', 'OneHot', 'Identity', 'Add', 'Tile']
 * ```
 */
export function replacedStockKernels(): ReadonlyMap<string, KernelConfig> {
  return replacedKernels('wasm');
}

/**
 * Registers {@link WASM_TRAINING_KERNELS} for backend 'wasm', replacing any kernel already
 * registered under the same name (tfjs-backend-wasm's naive Conv2DBackpropInput, or ours from a
 * second copy of this package). Importing `@residual/backend-wasm` calls it; calling it again is harmless.
 *
 * @example
 * ```ts
 * import { registerAllKernels } from '@residual/backend-wasm';
 * registerAllKernels();
 * ```
 */
export function registerAllKernels(): void {
  replaceKernels(WASM_TRAINING_KERNELS);
}
