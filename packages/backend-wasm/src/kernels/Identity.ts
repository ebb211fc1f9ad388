import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import { runStock } from './stock';

/**
 * `Identity` (tfjs's `clone`) without a copy: the output shares x's memory, reference-counted as
 * tfjs-backend-cpu and the wasm backend's own `Reshape` do.
 *
 * tfjs-backend-wasm 4.22 copies the whole tensor, and the engine clones every tensor a gradient saves:
 * a ResNet-20 training step made 515 such copies (8% of the step). Tensors are immutable and a
 * variable's `assign` swaps its data rather than writing into it, so sharing is safe.
 */
export function identity(args: { inputs: NamedTensorInfoMap; backend: BackendWasm }): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return runStock(tf.Identity, args as never);
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Kernel config for `tf.registerKernel`; registered by `registerAllKernels()`. */
export const identityConfig: KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
