import { nodeBuiltin, type tf } from '@residual/tensor';
import { decodeSafetensors } from '../safetensors/format';
import { decodePth } from './pth';

/** Whether the bytes are a zip archive (a `.pth` written by torch ≥ 1.6) rather than safetensors. */
export function isPthBytes(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
  );
}

/**
 * Decode weights whatever their format: a PyTorch `.pth` zip ({@link decodePth}) or safetensors, told apart
 * by their first bytes, not by the file name.
 *
 * @example
 * ```ts
 * import { decodeWeights } from '@residual/nn';
 * const sd = decodeWeights(bytes, { source: 'resnet18.pth' });
 * ```
 */
export function decodeWeights(
  bytes: Uint8Array,
  options: { source?: string } = {},
): Record<string, tf.Tensor> {
  return isPthBytes(bytes) ? decodePth(bytes, options) : decodeSafetensors(bytes, options);
}

/**
 * Load a state dict from a `.pth` or `.safetensors` file, an `http(s)://` URL, or bytes — one entry point
 * for torchvision downloads (`resnet50-11ad3fa6.pth`), `torch.save(model.state_dict())`, timm's and our own
 * safetensors. Files need Node; URLs and bytes work in browsers too.
 *
 * @example
 * ```ts
 * import { loadWeights } from '@residual/nn';
 * model.loadStateDict(await loadWeights('resnet18-f37072fd.pth'));
 * ```
 */
export async function loadWeights(source: string | URL | Uint8Array): Promise<Record<string, tf.Tensor>> {
  if (source instanceof Uint8Array) return decodeWeights(source);
  const name = String(source);
  if (/^https?:\/\//i.test(name)) {
    let res: Response;
    try {
      res = await fetch(name);
    } catch (e) {
      throw new Error(`${name}: cannot download (${(e as Error).message})`);
    }
    if (!res.ok) throw new Error(`${name}: download failed with HTTP ${res.status} ${res.statusText}`);
    return decodeWeights(new Uint8Array(await res.arrayBuffer()), { source: name });
  }
  const { readFile } = nodeBuiltin('node:fs/promises', 'loadWeights(path)');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(name));
  } catch (e) {
    throw new Error(
      `${name}: cannot read weights (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return decodeWeights(bytes, { source: name });
}

/**
 * Rename the keys of a state dict by prefix — for checkpoints of other layouts, e.g. the common CIFAR
 * scripts' `linear.*` head (`['linear.', 'fc.']`) or DataParallel's `module.` prefix (`['module.', '']`).
 * Rules apply in order, each to the key the previous ones left; the tensors are moved, not copied.
 *
 * @example
 * ```ts
 * import { loadWeights, renameKeys } from '@residual/nn';
 * const sd = renameKeys(await loadWeights('checkpoint.pth'), [['module.', ''], ['linear.', 'fc.']]);
 * ```
 */
export function renameKeys<T>(
  stateDict: Record<string, T>,
  rules: ReadonlyArray<readonly [from: string, to: string]>,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(stateDict)) {
    let name = key;
    // Rules apply in order, each to the result of the previous (strip 'module.', then map 'linear.').
    for (const [from, to] of rules) if (name.startsWith(from)) name = to + name.slice(from.length);
    if (name in out) throw new Error(`renameKeys: '${key}' and another key both become '${name}'`);
    out[name] = value;
  }
  return out;
}
