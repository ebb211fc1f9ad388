import type { KernelConfig, KernelFunc, NamedTensorInfoMap, OneHotAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import { replacingConfig } from './stock';

/**
 * `OneHot` in the requested dtype.
 *
 * tfjs-backend-wasm 4.22's kernel allocates the output with the requested dtype but its C++ always
 * writes int32, so `tf.oneHot(labels, 10, 1, 0, 'float32')` returned int32 bit patterns (1 reads
 * as 1.4e-45) labelled float32. Indices outside [0, depth) give a row of `offValue`, as on cpu.
 */
export function oneHot(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: OneHotAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const { indices } = args.inputs as { indices: TensorInfo };
  const { depth, onValue, offValue, dtype } = attrs;
  if (dtype === 'string' || dtype === 'complex64') {
    throw new Error(`@residual/backend-wasm (kernels/OneHot.ts): OneHot cannot produce dtype '${dtype}'`);
  }
  const out = backend.makeOutput([...indices.shape, depth], dtype);
  // Views taken after makeOutput: allocating may grow (and detach) the wasm heap.
  const idx = backend.typedArrayFromHeap(indices);
  const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array | Uint8Array;
  dst.fill(offValue);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i];
    if (k >= 0 && k < depth) dst[i * depth + k] = onValue;
  }
  return out;
}

/** Kernel config for `tf.registerKernel`; `registerAllKernels()` swaps it in for the stock OneHot. */
export const oneHotConfig: KernelConfig = replacingConfig(tf.OneHot, oneHot as unknown as KernelFunc);
