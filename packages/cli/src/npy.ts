/**
 * Reading and writing NumPy `.npy` files, the format PyTorch users keep batches and logits in.
 *
 * Supports format versions 1.0, 2.0 and 3.0, little- and big-endian data, and the dtypes
 * `f4 f8 i1 u1 i4 i8 u4 b1` (bool). Fortran-ordered arrays are refused with an error that says how
 * to fix them (`np.ascontiguousarray`).
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '@residual/train';

/** The element types a `.npy` file can hold here, named as tfjs/TypedArray users expect. */
export type NpyDtype = 'float32' | 'float64' | 'int8' | 'uint8' | 'int32' | 'int64' | 'uint32' | 'bool';

/** The typed array each {@link NpyDtype} reads into (`bool` reads as 0/1 bytes). */
export type NpyData = Float32Array | Float64Array | Int8Array | Uint8Array | Int32Array | BigInt64Array | Uint32Array;

/** An array read from, or to write to, a `.npy` file: C-ordered data and its shape. */
export interface NpyArray {
  /** Element type. */
  dtype: NpyDtype;
  /** Dimensions, outermost first (C order). `[]` for a scalar. */
  shape: number[];
  /** The elements in C order. */
  data: NpyData;
}

/** Options for {@link encodeNpy} / {@link writeNpy}. */
export interface NpyWriteOptions {
  /** Byte order of the data written; numpy writes little-endian by default. */
  endian?: 'little' | 'big';
}

/**
 * Raised for a malformed or unsupported `.npy` file; the message names the file.
 *
 * @example
 * ```ts
 * import { readNpy, NpyError } from '@residual/cli';
 * try { readNpy('x.npy'); } catch (e) { if (e instanceof NpyError) console.error(e.message); }
 * ```
 */
export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface DtypeSpec {
  dtype: NpyDtype;
  size: number;
}

const BY_CODE: Record<string, DtypeSpec> = {
  f4: { dtype: 'float32', size: 4 },
  f8: { dtype: 'float64', size: 8 },
  i1: { dtype: 'int8', size: 1 },
  u1: { dtype: 'uint8', size: 1 },
  i4: { dtype: 'int32', size: 4 },
  i8: { dtype: 'int64', size: 8 },
  u4: { dtype: 'uint32', size: 4 },
  b1: { dtype: 'bool', size: 1 },
};

const CODE_OF: Record<NpyDtype, string> = {
  float32: 'f4',
  float64: 'f8',
  int8: 'i1',
  uint8: 'u1',
  int32: 'i4',
  int64: 'i8',
  uint32: 'u4',
  bool: 'b1',
};

function parseDescr(descr: string, where: string): { spec: DtypeSpec; little: boolean } {
  const m = /^([<>|=])?([a-z]\d+)$/.exec(descr);
  const spec = m ? BY_CODE[m[2]!] : undefined;
  if (!m || !spec) {
    throw new NpyError(
      `${where}: unsupported dtype '${descr}'; supported are ${Object.keys(BY_CODE).join(', ')} ` +
        `(convert with arr.astype(np.float32) before np.save)`,
    );
  }
  // '|' means byte order does not apply (1-byte types); '=' is the writer's native order, which
  // every platform numpy runs on in practice writes as little-endian.
  return { spec, little: m[1] !== '>' };
}

/** Pulls `'key': value` out of the header's Python dict literal. */
function headerField(header: string, key: string, where: string): string {
  const re = new RegExp(`['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|\\([^)]*\\)|True|False)`);
  const m = re.exec(header);
  if (!m) throw new NpyError(`${where}: header has no '${key}' field: ${header.trim()}`);
  return m[1]!;
}

function parseShape(text: string, where: string): number[] {
  const inner = text.slice(1, -1).trim();
  if (inner === '') return [];
  const parts = inner.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return parts.map((p) => {
    const n = Number(p.replace(/L$/, ''));
    if (!Number.isInteger(n) || n < 0) throw new NpyError(`${where}: bad shape ${text}`);
    return n;
  });
}

function typedView(spec: DtypeSpec, count: number): NpyData {
  switch (spec.dtype) {
    case 'float32': return new Float32Array(count);
    case 'float64': return new Float64Array(count);
    case 'int8': return new Int8Array(count);
    case 'uint8': case 'bool': return new Uint8Array(count);
    case 'int32': return new Int32Array(count);
    case 'int64': return new BigInt64Array(count);
    case 'uint32': return new Uint32Array(count);
  }
}

function readElements(view: DataView, offset: number, spec: DtypeSpec, count: number, little: boolean): NpyData {
  const out = typedView(spec, count);
  for (let i = 0, o = offset; i < count; i++, o += spec.size) {
    switch (spec.dtype) {
      case 'float32': (out as Float32Array)[i] = view.getFloat32(o, little); break;
      case 'float64': (out as Float64Array)[i] = view.getFloat64(o, little); break;
      case 'int8': (out as Int8Array)[i] = view.getInt8(o); break;
      case 'uint8': (out as Uint8Array)[i] = view.getUint8(o); break;
      case 'bool': (out as Uint8Array)[i] = view.getUint8(o) ? 1 : 0; break;
      case 'int32': (out as Int32Array)[i] = view.getInt32(o, little); break;
      case 'int64': (out as BigInt64Array)[i] = view.getBigInt64(o, little); break;
      case 'uint32': (out as Uint32Array)[i] = view.getUint32(o, little); break;
    }
  }
  return out;
}

/**
 * Decodes the bytes of a `.npy` file.
 *
 * @param bytes the whole file.
 * @param name how errors refer to the file (its path).
 * @example
 * ```ts
 * import { decodeNpy, encodeNpy } from '@residual/cli';
 * const a = decodeNpy(encodeNpy({ dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) }));
 * console.log(a.shape); // [2]
 * ```
 */
export function decodeNpy(bytes: Uint8Array, name = '<npy>'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyError(`${name}: not a .npy file (missing the \\x93NUMPY magic); write it with np.save`);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(`${name}: truncated header`);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new NpyError(`${name}: unsupported .npy format version ${major}.${minor} (1.0, 2.0 and 3.0 are read)`);
  }
  const dataStart = headerStart + headerLen;
  if (bytes.length < dataStart) throw new NpyError(`${name}: truncated header (file is ${bytes.length} bytes)`);
  const headerBytes = bytes.subarray(headerStart, dataStart);
  // Version 3.0 allows UTF-8 in the header (field names of structured dtypes); 1.0/2.0 are latin-1.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);

  const descr = headerField(header, 'descr', name).slice(1, -1);
  const fortran = headerField(header, 'fortran_order', name);
  const shape = parseShape(headerField(header, 'shape', name), name);
  if (fortran === 'True') {
    throw new NpyError(
      `${name}: array is stored in Fortran order; save a C-ordered copy with np.save(path, np.ascontiguousarray(arr))`,
    );
  }
  const { spec, little } = parseDescr(descr, name);
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * spec.size;
  if (bytes.length - dataStart < need) {
    throw new NpyError(
      `${name}: shape (${shape.join(', ')}) of ${descr} needs ${need} data bytes but the file has ${bytes.length - dataStart}`,
    );
  }
  return { dtype: spec.dtype, shape, data: readElements(view, dataStart, spec, count, little) };
}

/**
 * Encodes an array as `.npy` bytes (format 1.0, or 2.0 when the header does not fit in 64 KiB).
 *
 * @example
 * ```ts
 * import { encodeNpy } from '@residual/cli';
 * const bytes = encodeNpy({ dtype: 'float32', shape: [1, 10], data: new Float32Array(10) });
 * ```
 */
export function encodeNpy(array: NpyArray, options: NpyWriteOptions = {}): Uint8Array {
  const little = (options.endian ?? 'little') === 'little';
  const code = CODE_OF[array.dtype];
  const spec = BY_CODE[code]!;
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (array.data.length !== count) {
    throw new NpyError(`encodeNpy: shape (${array.shape.join(', ')}) has ${count} elements but data has ${array.data.length}`);
  }
  const order = spec.size === 1 ? '|' : little ? '<' : '>';
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${order}${code}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // The preamble (magic, version, length, header, '\n') is padded with spaces to a multiple of 64.
  let major = 1;
  let prefix = 10;
  if (header.length + 1 + prefix > 0xffff) {
    major = 2;
    prefix = 12;
  }
  const total = Math.ceil((prefix + header.length + 1) / 64) * 64;
  header = header + ' '.repeat(total - prefix - header.length - 1) + '\n';
  const out = new Uint8Array(total + count * spec.size);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  const d = array.data;
  for (let i = 0, o = total; i < count; i++, o += spec.size) {
    switch (array.dtype) {
      case 'float32': view.setFloat32(o, d[i] as number, little); break;
      case 'float64': view.setFloat64(o, d[i] as number, little); break;
      case 'int8': view.setInt8(o, d[i] as number); break;
      case 'uint8': view.setUint8(o, d[i] as number); break;
      case 'bool': view.setUint8(o, d[i] ? 1 : 0); break;
      case 'int32': view.setInt32(o, d[i] as number, little); break;
      case 'int64': view.setBigInt64(o, BigInt(d[i] as number | bigint), little); break;
      case 'uint32': view.setUint32(o, d[i] as number, little); break;
    }
  }
  return out;
}

/**
 * Reads a `.npy` file.
 *
 * @example
 * ```ts
 * import { readNpy } from '@residual/cli';
 * const { shape, data } = readNpy('batch.npy'); // e.g. [8, 3, 32, 32], Float32Array
 * ```
 */
export function readNpy(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new NpyError(`${path}: cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeNpy(bytes, path);
}

/**
 * Writes a `.npy` file that `np.load` reads.
 *
 * @example
 * ```ts
 * import { writeNpy } from '@residual/cli';
 * writeNpy('logits.npy', { dtype: 'float32', shape: [1, 10], data: new Float32Array(10) });
 * ```
 */
export function writeNpy(path: string, array: NpyArray, options: NpyWriteOptions = {}): void {
  // Atomic: a full disk or a kill never leaves a truncated .npy under the final name.
  writeFileAtomic(path, encodeNpy(array, options));
}

/**
 * Converts any numeric {@link NpyArray} to float32 data (bool → 0/1).
 *
 * @example
 * ```ts
 * import { readNpy, toFloat32 } from '@residual/cli';
 * const x = toFloat32(readNpy('images_uint8.npy')); // Float32Array of 0..255
 * ```
 */
export function toFloat32(array: NpyArray): Float32Array {
  if (array.data instanceof Float32Array) return array.data;
  const out = new Float32Array(array.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(array.data[i]);
  return out;
}
