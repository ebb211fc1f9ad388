import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '@residual/tensor';

// tfjs-backend-webgpu's kernels that registerAllKernels() replaced, by kernel name; ours hand the
// cases they need no fix for back to them.
const replaced = new Map<string, KernelConfig>();

export function rememberStockKernel(config: KernelConfig): void {
  if (!replaced.has(config.kernelName)) replaced.set(config.kernelName, config);
}

export function stockKernels(): ReadonlyMap<string, KernelConfig> {
  return replaced;
}

/** Runs the replaced stock kernel `name` (or, for kernels we never replace, the registered one). */
export function runStock(name: string, args: Parameters<KernelFunc>[0]): TensorInfo {
  const config = replaced.get(name) ?? tf.getKernel(name, 'webgpu');
  if (!config) throw new Error(`@residual/backend-webgpu (kernels/stock.ts): no webgpu kernel '${name}' to run`);
  return config.kernelFunc(args) as TensorInfo;
}

/** A free reshape on the backend (shares the data, as tfjs's own kernels do). */
export function reshapeInfo(x: TensorInfo, shape: number[], backend: Parameters<KernelFunc>[0]['backend']): TensorInfo {
  return runStock('Reshape', { inputs: { x }, backend, attrs: { shape } });
}
