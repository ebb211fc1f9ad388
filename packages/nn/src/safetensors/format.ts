import { tf } from '@residual/tensor';

/** Element types of the safetensors format that residual reads. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const SIZES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** One entry of a safetensors header. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range `[begin, end)` within the data section. */
  dataOffsets: [number, number];
}

/** A parsed safetensors header: tensor entries (file order) and the optional `__metadata__`. */
export interface SafetensorsHeader {
  tensors: Record<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** Byte offset of the data section within the file. */
  dataStart: number;
}

/** Where a buffer came from, for error messages. */
export interface DecodeOptions {
  /** File name (or URL) the bytes were read from. @defaultValue '<buffer>' */
  source?: string;
}

/** Options of {@link encodeSafetensors}. */
export interface EncodeOptions {
  /** String metadata stored under `__metadata__`. */
  metadata?: Record<string, string>;
  /**
   * int32 tensors whose key matches are written as I64, PyTorch's dtype for them.
   * @defaultValue /(^|\.)num_batches_tracked$/
   */
  int64Keys?: RegExp;
}

/**
 * A malformed or unsupported safetensors file; the message starts with the file name.
 *
 * @example
 * ```ts
 * try { decodeSafetensors(bytes, { source: 'x.safetensors' }); } catch (e) { if (e instanceof SafetensorsError) console.log(e.source); }
 * ```
 */
export class SafetensorsError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

const MAX_HEADER = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Parse and validate the header of a safetensors buffer: the header length fits the file, the JSON is
 * an object of `{dtype, shape, data_offsets}` entries, every entry's byte size equals shape × dtype
 * size, and the entries tile the data section exactly (no overlap, no hole, nothing beyond the end).
 *
 * @example
 * ```ts
 * const { tensors, metadata } = readSafetensorsHeader(bytes, { source: 'resnet18.safetensors' });
 * tensors['conv1.weight']; // { dtype: 'F32', shape: [64, 3, 7, 7], dataOffsets: [0, 37632] }
 * ```
 */
export function readSafetensorsHeader(bytes: Uint8Array, options: DecodeOptions = {}): SafetensorsHeader {
  const source = options.source ?? '<buffer>';
  const fail = (msg: string): never => {
    throw new SafetensorsError(source, msg);
  };
  if (bytes.length < 8)
    fail(`truncated safetensors file: ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > MAX_HEADER)
    fail(
      `header length ${n} is larger than the format's limit of ${MAX_HEADER} bytes (not a safetensors file?)`,
    );
  if (8 + n > bytes.length)
    fail(`header length ${n} runs beyond the end of the file (${bytes.length} bytes): truncated file?`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    fail(`header is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    fail('header must be a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  // Null-prototype maps: a hostile header's keys ("__proto__", "constructor") are plain keys here.
  const tensors: Record<string, SafetensorsEntry> = Object.create(null);
  let metadata: Record<string, string> = Object.create(null);
  for (const [key, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (key === '__proto__') fail(`tensor name '__proto__' is not allowed (it would replace an object's prototype in JavaScript)`);
    if (key === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Object.values(raw).some((v) => typeof v !== 'string')) {
        fail('__metadata__ must be an object of strings');
      }
      metadata = Object.assign(Object.create(null), raw) as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`entry '${key}' is not an object`);
    if (typeof e.dtype !== 'string' || !Object.hasOwn(SIZES, e.dtype)) {
      fail(
        `tensor '${key}' has unknown dtype ${JSON.stringify(e.dtype)}; supported: ${Object.keys(SIZES).join(', ')}`,
      );
    }
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`tensor '${key}' has an invalid shape ${JSON.stringify(shape)}`);
    }
    const off = e.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((d) => Number.isInteger(d) && d >= 0) ||
      off[0] > off[1]
    ) {
      fail(`tensor '${key}' has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (end > dataLength) {
      fail(
        `tensor '${key}' data_offsets [${begin}, ${end}] run beyond the data section (${dataLength} bytes): truncated file?`,
      );
    }
    const dtype = e.dtype as SafetensorsDtype;
    const want = (shape as number[]).reduce((a, b) => a * b, 1) * SIZES[dtype];
    if (end - begin !== want) {
      fail(
        `tensor '${key}' holds ${end - begin} bytes but shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${want}`,
      );
    }
    tensors[key] = { dtype, shape: shape as number[], dataOffsets: [begin, end] };
  }
  const ranges = Object.entries(tensors)
    .map(([key, t]) => ({ key, begin: t.dataOffsets[0], end: t.dataOffsets[1] }))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev = '';
  for (const r of ranges) {
    if (r.begin < at) fail(`tensors '${prev}' and '${r.key}' overlap in the data section`);
    if (r.begin > at) fail(`bytes ${at}..${r.begin} of the data section belong to no tensor`);
    at = r.end;
    prev = r.key;
  }
  if (at !== dataLength)
    fail(`the data section has ${dataLength} bytes but the tensors cover ${at}: trailing or missing data`);
  return { tensors, metadata, dataStart };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

export function readValues(
  bytes: Uint8Array,
  entry: SafetensorsEntry,
  key: string,
  source: string,
): { data: Float32Array | Int32Array | Uint8Array; dtype: 'float32' | 'int32' | 'bool' } {
  const [begin, end] = entry.dataOffsets;
  const raw = bytes.subarray(begin, end);
  const count = (end - begin) / SIZES[entry.dtype];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (entry.dtype) {
    case 'F32': {
      // Copy through the Uint8Array constructor: a Node Buffer's slice() is a view of a shared pool.
      if (LITTLE_ENDIAN) return { data: new Float32Array(new Uint8Array(raw).buffer), dtype: 'float32' };
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return { data: out, dtype: 'float32' };
    }
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return { data: out, dtype: 'float32' };
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return { data: out, dtype: 'float32' };
    }
    case 'BF16': {
      const out = new Float32Array(count);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u[i] = view.getUint16(i * 2, true) << 16;
      return { data: out, dtype: 'float32' };
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) {
          throw new SafetensorsError(
            source,
            `tensor '${key}' holds the I64 value ${v}, outside the int32 range tfjs supports`,
          );
        }
        out[i] = Number(v);
      }
      return { data: out, dtype: 'int32' };
    }
    case 'I32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return { data: out, dtype: 'int32' };
    }
    case 'I16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      return { data: out, dtype: 'int32' };
    }
    case 'I8':
      return { data: Int32Array.from(new Int8Array(raw.buffer, raw.byteOffset, count)), dtype: 'int32' };
    case 'U8':
      return { data: Int32Array.from(raw), dtype: 'int32' };
    case 'BOOL':
      return { data: Uint8Array.from(raw, (b) => (b ? 1 : 0)), dtype: 'bool' };
  }
}

/**
 * Decode a safetensors buffer into tensors (F32/F16/BF16/F64 → float32; I64/I32/I16/I8/U8 → int32;
 * BOOL → bool). Throws {@link SafetensorsError} naming the source for any malformation.
 *
 * @example
 * ```ts
 * const sd = decodeSafetensors(bytes, { source: 'resnet18.safetensors' });
 * model.loadStateDict(sd);
 * tf.dispose(Object.values(sd));
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeOptions = {}): Record<string, tf.Tensor> {
  const source = options.source ?? '<buffer>';
  const header = readSafetensorsHeader(bytes, options);
  const body = bytes.subarray(header.dataStart);
  const out: Record<string, tf.Tensor> = {};
  for (const [key, entry] of Object.entries(header.tensors)) {
    const { data, dtype } = readValues(body, entry, key, source);
    out[key] = tf.tensor(data, entry.shape, dtype);
  }
  return out;
}

/**
 * Encode tensors as a safetensors buffer (float32 → F32, int32 → I32 or I64 for `int64Keys`,
 * bool → BOOL), in the record's order, with the header padded to 8 bytes.
 *
 * @example
 * ```ts
 * const sd = model.stateDict();
 * const bytes = encodeSafetensors(sd, { metadata: { format: 'pt' } });
 * tf.dispose(Object.values(sd));
 * ```
 */
export function encodeSafetensors(
  record: Record<string, tf.Tensor>,
  options: EncodeOptions = {},
): Uint8Array {
  const int64Keys = options.int64Keys ?? /(^|\.)num_batches_tracked$/;
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [key, t] of Object.entries(record)) {
    if (key === '__metadata__')
      throw new Error(`encodeSafetensors: '__metadata__' is reserved and cannot name a tensor`);
    let dtype: SafetensorsDtype;
    let chunk: Uint8Array;
    if (t.dtype === 'float32') {
      dtype = 'F32';
      const v = t.dataSync() as Float32Array;
      if (LITTLE_ENDIAN) {
        chunk = new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
      } else {
        chunk = new Uint8Array(v.length * 4);
        const dv = new DataView(chunk.buffer);
        for (let i = 0; i < v.length; i++) dv.setFloat32(i * 4, v[i], true);
      }
    } else if (t.dtype === 'int32') {
      const v = t.dataSync() as Int32Array;
      dtype = int64Keys.test(key) ? 'I64' : 'I32';
      chunk = new Uint8Array(v.length * SIZES[dtype]);
      const dv = new DataView(chunk.buffer);
      for (let i = 0; i < v.length; i++) {
        if (dtype === 'I64') dv.setBigInt64(i * 8, BigInt(v[i]), true);
        else dv.setInt32(i * 4, v[i], true);
      }
    } else if (t.dtype === 'bool') {
      dtype = 'BOOL';
      chunk = Uint8Array.from(t.dataSync() as Uint8Array, (b) => (b ? 1 : 0));
    } else {
      throw new Error(
        `encodeSafetensors: tensor '${key}' has dtype ${t.dtype}, which safetensors cannot store here`,
      );
    }
    header[key] = { dtype, shape: t.shape, data_offsets: [offset, offset + chunk.length] };
    chunks.push(chunk);
    offset += chunk.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
