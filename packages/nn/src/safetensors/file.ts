import { nodeBuiltin, toHost, type tf } from '@residual/tensor';
import { Module } from '../module';
import { decodeSafetensors, encodeSafetensors, type EncodeOptions } from './format';

// Loaded at call time, so browser bundles of this package never resolve node:fs.
const nodeFs = async (): Promise<typeof import('node:fs/promises')> => nodeBuiltin('node:fs/promises', 'safetensors files');

/**
 * Write tensors (or a module's state dict, in PyTorch layouts) to a `.safetensors` file (Node only).
 *
 * @example
 * ```ts
 * import { saveSafetensors } from '@residual/nn';
 * await saveSafetensors('resnet18.safetensors', model);
 * ```
 */
export async function saveSafetensors(
  path: string,
  tensors: Record<string, tf.Tensor> | Module,
  options: EncodeOptions = {},
): Promise<void> {
  const record = tensors instanceof Module ? tensors.stateDict() : tensors;
  try {
    await toHost(record); // GPU backends read back asynchronously
    const bytes = encodeSafetensors(record, options);
    const fs = await nodeFs();
    await fs.writeFile(path, bytes);
  } finally {
    if (tensors instanceof Module) Object.values(record).forEach((t) => t.dispose());
  }
}

/**
 * Read a `.safetensors` file into tensors. A path needs Node; bytes (e.g. from `fetch` in a browser)
 * are decoded directly, as {@link decodeSafetensors}. Errors name the file. The caller disposes the
 * tensors.
 *
 * @example
 * ```ts
 * import { loadSafetensors } from '@residual/nn';
 * const sd = await loadSafetensors('resnet18.safetensors');
 * model.loadStateDict(sd);
 * ```
 */
export async function loadSafetensors(path: string | Uint8Array): Promise<Record<string, tf.Tensor>> {
  if (typeof path !== 'string') return decodeSafetensors(path);
  const fs = await nodeFs();
  const buf = await fs.readFile(path);
  return decodeSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), { source: path });
}
