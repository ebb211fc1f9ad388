import * as tf from '@tensorflow/tfjs-core';

type Tensors = tf.Tensor | readonly tf.Tensor[] | Readonly<Record<string, tf.Tensor>>;

/**
 * Read tensors' values back to the host (JavaScript memory), where GPU backends keep a copy, so that
 * later synchronous reads — `dataSync()`, `encodeSafetensors`, moving a tensor to another backend —
 * need no GPU round trip. On webgpu in Node a synchronous read of GPU data is impossible (Dawn has
 * only asynchronous read-back), so library code calls this before any synchronous API. On cpu and
 * wasm it only costs the reads.
 * @example
 * ```ts
 * import { toHost } from '@residual/tensor';
 * import { encodeSafetensors } from '@residual/nn';
 * const sd = model.stateDict();
 * await toHost(sd);
 * const bytes = encodeSafetensors(sd); // now synchronous on every backend
 * ```
 */
export async function toHost(tensors: Tensors): Promise<void> {
  const list: tf.Tensor[] =
    tensors instanceof tf.Tensor ? [tensors] : Array.isArray(tensors) ? [...(tensors as tf.Tensor[])] : Object.values(tensors as Record<string, tf.Tensor>);
  await Promise.all(list.map((t) => (t.isDisposed ? undefined : t.data())));
}
