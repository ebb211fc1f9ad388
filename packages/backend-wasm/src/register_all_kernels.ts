import type { KernelConfig } from '@tensorflow/tfjs-core';
import { tf } from '@residual/tensor';
import { conv2DBackpropFilterConfig } from './kernels/Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './kernels/Conv2DBackpropInput';

/** The kernels `@residual/backend-wasm` adds to (or replaces in) tfjs-backend-wasm 4.22. */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [conv2DBackpropFilterConfig, conv2DBackpropInputConfig];

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
  for (const config of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName)) {
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
  }
}
