import * as tf from '@tensorflow/tfjs-core';

type KernelConfig = tf.KernelConfig;

// Stock kernels that backend packages replaced, per backend and kernel name. On globalThis: the ESM
// and CJS builds of a backend package in one process must agree on what the stock kernel was.
const STOCK_KEY = Symbol.for('@residual/tensor/stock-kernels');
const REPLACEMENT = Symbol.for('@residual/tensor/replacement-kernel');
const stock: Map<string, Map<string, KernelConfig>> =
  ((globalThis as Record<symbol, unknown>)[STOCK_KEY] as Map<string, Map<string, KernelConfig>>) ??
  ((globalThis as Record<symbol, unknown>)[STOCK_KEY] = new Map());

const isReplacement = (config: KernelConfig): boolean => !!(config.kernelFunc as unknown as Record<symbol, unknown>)[REPLACEMENT];

/**
 * Register kernels that replace a backend's own (as `@residual/backend-wasm` and
 * `@residual/backend-webgpu` do), remembering each stock kernel the first time it is replaced, so a
 * replacement can hand the cases it does not improve back to it ({@link stockKernel}). Calling it
 * again, or from a second copy of the same package, is harmless.
 * @example
 * ```ts
 * import { replaceKernels } from '@residual/tensor';
 * replaceKernels([{ kernelName: 'PadV2', backendName: 'webgpu', kernelFunc: myPad }]);
 * ```
 */
export function replaceKernels(configs: readonly KernelConfig[]): void {
  for (const config of configs) {
    (config.kernelFunc as unknown as Record<symbol, unknown>)[REPLACEMENT] = true;
    const existing = tf.getKernel(config.kernelName, config.backendName);
    if (existing) {
      if (!isReplacement(existing)) {
        const forBackend = stock.get(config.backendName) ?? new Map<string, KernelConfig>();
        stock.set(config.backendName, forBackend);
        if (!forBackend.has(config.kernelName)) forBackend.set(config.kernelName, existing);
      }
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
  }
}

/**
 * The backend's own kernel that {@link replaceKernels} replaced, if any.
 * @example
 * ```ts
 * import { stockKernel } from '@residual/tensor';
 * stockKernel('wasm', 'Sum')?.kernelFunc; // tfjs-backend-wasm's float32 Sum
 * ```
 */
export function stockKernel(backendName: string, kernelName: string): KernelConfig | undefined {
  return stock.get(backendName)?.get(kernelName);
}

/**
 * Every stock kernel of `backendName` that was replaced, by kernel name.
 * @example
 * ```ts
 * import { replacedKernels } from '@residual/tensor';
 * [...replacedKernels('wasm').keys()]; // ['Conv2DBackpropInput', 'Slice', …]
 * ```
 */
export function replacedKernels(backendName: string): ReadonlyMap<string, KernelConfig> {
  return stock.get(backendName) ?? new Map();
}

/**
 * Whether the active backend registers `kernelName` (e.g. the fused `BatchNormTraining` on wasm).
 * @example
 * ```ts
 * hasKernel('BatchNormTraining'); // true on wasm with @residual/backend-wasm, false on cpu
 * ```
 */
export function hasKernel(kernelName: string): boolean {
  const backend = tf.getBackend();
  return !!backend && tf.getKernel(kernelName, backend) !== undefined;
}
