import type { KernelConfig } from '@tensorflow/tfjs-core';
import { replaceKernels, replacedKernels } from '@residual/tensor';
import { linSpaceConfig } from './kernels/LinSpace';
import { padV2Config } from './kernels/PadV2';

/**
 * The kernels `@residual/backend-webgpu` adds to (or replaces in) tfjs-backend-webgpu 4.22, each
 * fixing a gap found by the zoo's conformance suite.
 * @example
 * ```ts
 * import { WEBGPU_FIXED_KERNELS } from '@residual/backend-webgpu';
 * console.log(WEBGPU_FIXED_KERNELS.map((k) => k.kernelName));
 * ```
 */
export const WEBGPU_FIXED_KERNELS: readonly KernelConfig[] = [padV2Config, linSpaceConfig];

/**
 * The tfjs-backend-webgpu kernels {@link registerAllKernels} replaced, by kernel name.
 * @example
 * ```ts
 * import { replacedStockKernels } from '@residual/backend-webgpu';
 * console.log([...replacedStockKernels().keys()]);
 * ```
 */
export function replacedStockKernels(): ReadonlyMap<string, KernelConfig> {
  return replacedKernels('webgpu');
}

/**
 * Registers {@link WEBGPU_FIXED_KERNELS} for backend 'webgpu', replacing tfjs-backend-webgpu's kernel
 * of the same name. Importing `@residual/backend-webgpu` calls it; calling it again is harmless.
 * @example
 * ```ts
 * import { registerAllKernels } from '@residual/backend-webgpu';
 * registerAllKernels();
 * ```
 */
export function registerAllKernels(): void {
  replaceKernels(WEBGPU_FIXED_KERNELS);
}
