import { tf } from '@residual/tensor';

/**
 * A tensor held as plain arrays (dtype, PyTorch-style shape, values): what {@link loadCheckpoint} returns,
 * so a checkpoint can be inspected without creating tfjs tensors.
 */
export interface RawTensor {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

/** Copy a tfjs tensor's values out (the tensor stays owned by the caller). */
export function toRaw(t: tf.Tensor): RawTensor {
  return { dtype: t.dtype as RawTensor['dtype'], shape: [...t.shape], data: t.dataSync() as RawTensor['data'] };
}

/** Turn a raw tensor into a tfjs tensor (the caller disposes it). */
export function toTensor(raw: RawTensor): tf.Tensor {
  return tf.tensor(raw.data, raw.shape, raw.dtype);
}
