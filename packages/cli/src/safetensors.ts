/**
 * Reads the `.safetensors` files `safetensors.torch.save_file` writes: an 8-byte little-endian header
 * length, a JSON header (`{name: {dtype, shape, data_offsets}}`), then raw little-endian data.
 * Floating types (F64/F32/F16/BF16) are read as float32; I64/I32/I16/I8/U8/BOOL as int32.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import type { Tensor } from '@residual/tensor';

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const SIZES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

function f16(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** One tensor of a safetensors file, decoded to float32 or int32 values. */
export interface RawTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  values: Float32Array | Int32Array;
}

/**
 * Decodes a safetensors file's bytes.
 *
 * @example
 * ```ts
 * import { decodeSafetensors } from '@residual/cli';
 * const tensors = decodeSafetensors(readFileSync('resnet18.safetensors'), 'resnet18.safetensors');
 * tensors['conv1.weight'].shape; // [64, 3, 7, 7]
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array, name = '<safetensors>'): Record<string, RawTensor> {
  if (bytes.length < 8) throw new Error(`${name}: too short to be a safetensors file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n <= 0 || 8 + n > bytes.length) throw new Error(`${name}: not a safetensors file (header length ${n} for ${bytes.length} bytes)`);
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`${name}: header is not JSON (${(e as Error).message}); is this a safetensors file?`);
  }
  const base = 8 + n;
  const out: Record<string, RawTensor> = {};
  for (const [key, raw] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const entry = raw as HeaderEntry;
    const size = SIZES[entry.dtype];
    if (!size) throw new Error(`${name}: tensor '${key}' has dtype ${entry.dtype}, which is not supported`);
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = entry.data_offsets;
    if (end - begin !== count * size || base + end > bytes.length) {
      throw new Error(`${name}: tensor '${key}' offsets [${begin}, ${end}] do not fit shape [${entry.shape}] of ${entry.dtype}`);
    }
    const o = base + begin;
    const isFloat = entry.dtype.startsWith('F') || entry.dtype === 'BF16';
    const values = isFloat ? new Float32Array(count) : new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const p = o + i * size;
      switch (entry.dtype) {
        case 'F64': values[i] = view.getFloat64(p, true); break;
        case 'F32': values[i] = view.getFloat32(p, true); break;
        case 'F16': values[i] = f16(view.getUint16(p, true)); break;
        case 'BF16': {
          const b = new DataView(new ArrayBuffer(4));
          b.setUint16(0, view.getUint16(p, true), false);
          values[i] = b.getFloat32(0, false);
          break;
        }
        case 'I64': values[i] = Number(view.getBigInt64(p, true)); break;
        case 'I32': values[i] = view.getInt32(p, true); break;
        case 'I16': values[i] = view.getInt16(p, true); break;
        case 'I8': values[i] = view.getInt8(p); break;
        default: values[i] = view.getUint8(p);
      }
    }
    out[key] = { dtype: isFloat ? 'float32' : 'int32', shape: entry.shape, values };
  }
  return out;
}

/**
 * Reads a safetensors file into tfjs tensors (PyTorch layouts, as stored). The caller disposes them.
 *
 * @example
 * ```ts
 * import { readSafetensors } from '@residual/cli';
 * const sd = await readSafetensors('resnet18.safetensors');
 * model.loadStateDict(sd);
 * ```
 */
export async function readSafetensors(path: string): Promise<Record<string, Tensor>> {
  const { tf } = await import('@residual/tensor');
  const raw = decodeSafetensors(readFileSync(path), path);
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(raw)) out[k] = tf.tensor(t.values, t.shape, t.dtype);
  return out;
}

/**
 * The shapes of a safetensors file's tensors, from its header alone (the data is not read).
 *
 * @example
 * ```ts
 * import { safetensorsShapes } from '@residual/cli';
 * safetensorsShapes('model.safetensors')['fc.weight']; // [10, 64]
 * ```
 */
export function safetensorsShapes(path: string): Record<string, number[]> {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    const n = Number(head.readBigUInt64LE(0));
    if (n <= 0 || n > 100_000_000) throw new Error(`${path}: not a safetensors file (header length ${n})`);
    const json = Buffer.alloc(n);
    readSync(fd, json, 0, n, 8);
    const header = JSON.parse(json.toString('utf8')) as Record<string, { shape?: number[] }>;
    const out: Record<string, number[]> = {};
    for (const [k, v] of Object.entries(header)) if (k !== '__metadata__' && v.shape) out[k] = v.shape;
    return out;
  } finally {
    closeSync(fd);
  }
}
