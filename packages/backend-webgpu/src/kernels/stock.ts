import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockKernel, tf } from '@residual/tensor';

/** Runs the replaced stock kernel `name` (or, for kernels we never replace, the registered one). */
export function runStock(name: string, args: Parameters<KernelFunc>[0]): TensorInfo {
  const config = stockKernel('webgpu', name) ?? tf.getKernel(name, 'webgpu');
  if (!config) throw new Error(`@residual/backend-webgpu (kernels/stock.ts): no webgpu kernel '${name}' to run`);
  return config.kernelFunc(args) as TensorInfo;
}

/** A free reshape on the backend (shares the data, as tfjs's own kernels do). */
export function reshapeInfo(x: TensorInfo, shape: number[], backend: Parameters<KernelFunc>[0]['backend']): TensorInfo {
  return runStock('Reshape', { inputs: { x }, backend, attrs: { shape } });
}
