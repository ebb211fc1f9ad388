import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

// tfjs-backend-wasm's own kernels that registerAllKernels() replaced, by kernel name. Our kernels
// hand the cases they do not speed up (other dtypes, other axes) back to them.
const replaced = new Map<string, KernelConfig>();

export function rememberStockKernel(config: KernelConfig): void {
  if (!replaced.has(config.kernelName)) replaced.set(config.kernelName, config);
}

export function stockKernels(): ReadonlyMap<string, KernelConfig> {
  return replaced;
}

/** Runs the replaced stock kernel `name` on the same arguments. */
export function runStock(name: string, args: Parameters<KernelFunc>[0]): TensorInfo {
  const config = replaced.get(name);
  if (!config) throw new Error(`@residual/backend-wasm (kernels/stock.ts): no stock wasm kernel '${name}' to fall back to`);
  return config.kernelFunc(args) as TensorInfo;
}

/**
 * A config for our `kernelFunc` that still runs the stock kernel's `setupFunc` when the backend
 * starts: the fallback needs the C++ functions that setup binds (we replace the kernel before the
 * backend initialises, so tfjs would otherwise never call it).
 */
export function replacingConfig(kernelName: string, kernelFunc: KernelFunc): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc,
    setupFunc: (backend) => replaced.get(kernelName)?.setupFunc?.(backend),
  };
}
