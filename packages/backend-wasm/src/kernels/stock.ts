import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockKernel } from '@residual/tensor';

/** Runs the stock tfjs-backend-wasm kernel `name` that registerAllKernels() replaced, on the same arguments. */
export function runStock(name: string, args: Parameters<KernelFunc>[0]): TensorInfo {
  const config = stockKernel('wasm', name);
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
    setupFunc: (backend) => stockKernel('wasm', kernelName)?.setupFunc?.(backend),
  };
}
