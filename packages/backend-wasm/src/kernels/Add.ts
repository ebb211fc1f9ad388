import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import { nativeRuntime, runSplit } from './native/runtime';
import { replacingConfig, runStock } from './stock';

/**
 * float32 `Add` of two tensors of one shape in one pass (native/elementwise.c's add_f32), split across
 * threads for large tensors. A training step runs one at every residual block's input, where the branch's
 * and the shortcut's gradients meet (ResNet-20: ten, eight of them over 0.5-2 M values), and tfjs-backend-wasm's
 * own Add runs on one thread. Broadcasting and other dtypes go to the stock kernel.
 */
export function add(args: { inputs: NamedTensorInfoMap; backend: BackendWasm }): TensorInfo {
  const { backend } = args;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !tf.util.arraysEqual(a.shape, b.shape)) return runStock(tf.Add, args as never);
  const rt = nativeRuntime(backend);
  const out = backend.makeOutput(a.shape, 'float32');
  const n = tf.util.sizeFromShape(a.shape);
  const [ap, bp, op] = [a, b, out].map((t) => rt.offset(t.dataId));
  // Threads only from 64 K values on; chunks on 4-value boundaries so each thread runs the SIMD loop.
  runSplit(rt, 'add_f32', n, Math.floor(n / 65536), (i0, i1) => [ap, bp, op, i0, i1], 4);
  return out;
}

/** Kernel config for `tf.registerKernel`; `registerAllKernels()` swaps it in for the stock one. */
export const addConfig: KernelConfig = replacingConfig(tf.Add, add as unknown as KernelFunc);
