import { tf } from '@residual/tensor';

/** dtypes this codec reads; F64 and I64 are narrowed to what tfjs holds (float32, int32). */
const READ_DTYPES = { F32: 4, F64: 8, I32: 4, I64: 8, U8: 1, BOOL: 1 } as const;
type StDtype = keyof typeof READ_DTYPES;

/** A decoded tensor: tfjs dtype, PyTorch-style shape and its values. */
export interface RawTensor {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

/**
 * Encode tensors to safetensors bytes (float32 → F32, int32 → I32, bool → BOOL), with string metadata.
 * Keys are written sorted so the same tensors always give the same bytes.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { encodeSafetensors } from '@residual/train';
 * const sd = model.stateDict();
 * writeFileSync('resnet20.safetensors', encodeSafetensors(sd, { format: 'pt' })); // loadable by safetensors.torch
 * ```
 */
export function encodeSafetensors(tensors: Record<string, tf.Tensor | RawTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const isTensor = t instanceof tf.Tensor;
    const dtype = t.dtype;
    const data = isTensor ? (t as tf.Tensor).dataSync() : (t as RawTensor).data;
    let bytes: Uint8Array;
    let st: StDtype;
    if (dtype === 'float32') {
      bytes = new Uint8Array(Float32Array.from(data as Float32Array).buffer);
      st = 'F32';
    } else if (dtype === 'int32') {
      bytes = new Uint8Array(Int32Array.from(data as Int32Array).buffer);
      st = 'I32';
    } else if (dtype === 'bool') {
      bytes = Uint8Array.from(data as Uint8Array);
      st = 'BOOL';
    } else throw new Error(`safetensors: tensor '${name}' has dtype ${dtype}, which cannot be stored`);
    header[name] = { dtype: st, shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
  const enc = new TextEncoder();
  while ((8 + enc.encode(json).byteLength) % 8 !== 0) json += ' ';
  const headerBytes = enc.encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.byteLength;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}

/**
 * Decode safetensors bytes (F32, F64 → float32; I32, I64 → int32; U8, BOOL). `where` names the source in
 * error messages.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { decodeSafetensors } from '@residual/train';
 * const { tensors, metadata } = decodeSafetensors(readFileSync('resnet20.safetensors'), 'resnet20.safetensors');
 * tensors['conv1.weight'].shape; // [16, 3, 3, 3]
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array, where = 'safetensors data'): { tensors: Record<string, RawTensor>; metadata: Record<string, string> } {
  if (bytes.byteLength < 8) throw new Error(`${where}: truncated (${bytes.byteLength} bytes, no header)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.byteLength) throw new Error(`${where}: header of ${n} bytes runs past the end of the file (${bytes.byteLength} bytes)`);
  let header: Record<string, { dtype: StDtype; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`${where}: header is not JSON (${(e as Error).message})`);
  }
  const base = 8 + n;
  const metadata = (header.__metadata__ ?? {}) as unknown as Record<string, string>;
  const tensors: Record<string, RawTensor> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [b, e] = info.data_offsets;
    const size = READ_DTYPES[info.dtype];
    if (!size) throw new Error(`${where}: tensor '${name}' has unsupported dtype ${info.dtype}`);
    const count = info.shape.reduce((a, d) => a * d, 1);
    if (e - b !== count * size || base + e > bytes.byteLength)
      throw new Error(`${where}: tensor '${name}' data [${b}, ${e}) does not fit shape [${info.shape}] ${info.dtype} or the file`);
    const buf = bytes.slice(base + b, base + e).buffer;
    let data: RawTensor['data'];
    let dtype: RawTensor['dtype'];
    switch (info.dtype) {
      case 'F32':
        data = new Float32Array(buf);
        dtype = 'float32';
        break;
      case 'F64':
        data = Float32Array.from(new Float64Array(buf));
        dtype = 'float32';
        break;
      case 'I32':
        data = new Int32Array(buf);
        dtype = 'int32';
        break;
      case 'I64':
        data = Int32Array.from(new BigInt64Array(buf), (v) => Number(v));
        dtype = 'int32';
        break;
      default:
        data = new Uint8Array(buf);
        dtype = info.dtype === 'BOOL' ? 'bool' : 'int32';
        if (dtype === 'int32') data = Int32Array.from(data);
    }
    tensors[name] = { dtype, shape: info.shape, data };
  }
  return { tensors, metadata };
}

/** Turn a decoded tensor into a tfjs tensor (the caller disposes it). */
export function toTensor(raw: RawTensor): tf.Tensor {
  return tf.tensor(raw.data, raw.shape, raw.dtype);
}
