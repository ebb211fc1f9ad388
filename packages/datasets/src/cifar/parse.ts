import { DatasetError } from '../errors';
import { readPickle, type PickleValue, type PickledNdarray } from '@residual/pickle';

/**
 * Pixels (HWC, uint8) and labels parsed from CIFAR files: `images` holds `labels.length` images
 * of 32×32×3 back to back.
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { parseCifarPickle, type CifarArrays } from '@residual/datasets';
 * const file = '/data/cifar-10-batches-py/test_batch';
 * const arrays: CifarArrays = parseCifarPickle(await readFile(file), file, 10);
 * arrays.images.length === arrays.labels.length * 32 * 32 * 3; // true
 * ```
 */
export interface CifarArrays {
  images: Uint8Array;
  /** Fine label (CIFAR-100) or the label (CIFAR-10). */
  labels: Uint8Array;
  /** CIFAR-100 coarse (superclass) label; absent for CIFAR-10. */
  coarse?: Uint8Array;
}

const PIXELS = 3072;
const PLANE = 1024;

/** Reorder one image from CIFAR's planar CHW (R plane, G plane, B plane) to interleaved HWC. */
export function chwToHwc(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
  for (let p = 0; p < PLANE; p++) {
    const o = dstOff + 3 * p;
    dst[o] = src[srcOff + p];
    dst[o + 1] = src[srcOff + PLANE + p];
    dst[o + 2] = src[srcOff + 2 * PLANE + p];
  }
}

/**
 * Parse one CIFAR binary-version file: records of `labelBytes` label bytes (CIFAR-10: label;
 * CIFAR-100: coarse then fine) followed by 3072 pixel bytes (1024 R, 1024 G, 1024 B, row-major 32×32).
 *
 * @example
 * ```ts
 * const { images, labels } = parseCifarBinary(await readFile('data_batch_1.bin'), 'data_batch_1.bin', 1, 10, 10000);
 * ```
 */
export function parseCifarBinary(
  bytes: Uint8Array,
  file: string,
  labelBytes: 1 | 2,
  numClasses: number,
  expectedCount?: number,
): CifarArrays {
  const record = labelBytes + PIXELS;
  if (bytes.length === 0 || bytes.length % record !== 0) {
    throw new DatasetError(
      file,
      `size ${bytes.length} bytes is not a whole number of ${record}-byte CIFAR records (${labelBytes} label byte${labelBytes > 1 ? 's' : ''} + ${PIXELS} pixels): truncated or not a ${labelBytes === 1 ? 'CIFAR-10' : 'CIFAR-100'} binary file`,
    );
  }
  const n = bytes.length / record;
  if (expectedCount !== undefined && n !== expectedCount) {
    throw new DatasetError(file, `holds ${n} records, the published file holds ${expectedCount} (${expectedCount * record} bytes)`);
  }
  const images = new Uint8Array(n * PIXELS);
  const labels = new Uint8Array(n);
  const coarse = labelBytes === 2 ? new Uint8Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const off = i * record;
    const label = bytes[off + labelBytes - 1];
    if (label >= numClasses) throw new DatasetError(file, `record ${i} has label ${label}, expected 0..${numClasses - 1}`);
    labels[i] = label;
    if (coarse) {
      coarse[i] = bytes[off];
      if (coarse[i] >= 20) throw new DatasetError(file, `record ${i} has coarse label ${coarse[i]}, expected 0..19`);
    }
    chwToHwc(bytes, off + labelBytes, images, i * PIXELS);
  }
  return coarse ? { images, labels, coarse } : { images, labels };
}

function field(d: Map<PickleValue, PickleValue>, key: string, file: string): PickleValue {
  if (!d.has(key)) throw new DatasetError(file, `pickle has no '${key}' entry (keys: ${[...d.keys()].join(', ')})`);
  return d.get(key) as PickleValue;
}

function labelArray(v: PickleValue, key: string, file: string, n: number, numClasses: number): Uint8Array {
  if (!Array.isArray(v) || v.length !== n) throw new DatasetError(file, `'${key}' should be a list of ${n} labels`);
  const out = new Uint8Array(n);
  v.forEach((l, i) => {
    if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l >= numClasses) {
      throw new DatasetError(file, `'${key}'[${i}] = ${String(l)} is not a label in 0..${numClasses - 1}`);
    }
    out[i] = l;
  });
  return out;
}

/** A rows×cols uint8 matrix stored column-major, as row-major bytes. */
function fortranToC(src: Uint8Array, rows: number, cols: number): Uint8Array {
  if (src.length !== rows * cols) return src; // the size check below reports it
  const out = new Uint8Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const col = j * rows;
    for (let i = 0; i < rows; i++) out[i * cols + j] = src[col + i];
  }
  return out;
}

/**
 * Parse one CIFAR python-version batch (a pickled dict with `data` (N×3072 uint8 ndarray) and
 * `labels`, or `fine_labels` + `coarse_labels` for CIFAR-100).
 *
 * @example
 * ```ts
 * const { images, labels } = parseCifarPickle(await readFile('cifar-10-batches-py/test_batch'), 'test_batch', 10);
 * ```
 */
export function parseCifarPickle(bytes: Uint8Array, file: string, numClasses: number, expectedCount?: number): CifarArrays {
  const d = readPickle(bytes, file);
  if (!(d instanceof Map)) throw new DatasetError(file, 'pickle does not hold a dict');
  const data = field(d, 'data', file) as PickledNdarray;
  if (data?.kind !== 'ndarray' || data.dtype.replace(/^[|<>=]/, '') !== 'u1' || data.shape.length !== 2 || data.shape[1] !== PIXELS) {
    throw new DatasetError(file, `'data' should be an N×${PIXELS} uint8 array`);
  }
  const n = data.shape[0];
  // numpy writes a Fortran-ordered (column-major) array's bytes column by column: image i's pixel j is
  // at j·N + i. Read that as rows and every image is scrambled, so reorder to C order first.
  const pixels = data.fortranOrder ? fortranToC(data.data, n, PIXELS) : data.data;
  if (pixels.length !== n * PIXELS) throw new DatasetError(file, `'data' holds ${pixels.length} bytes, shape needs ${n * PIXELS}`);
  if (expectedCount !== undefined && n !== expectedCount) throw new DatasetError(file, `holds ${n} images, the published file holds ${expectedCount}`);
  const images = new Uint8Array(n * PIXELS);
  for (let i = 0; i < n; i++) chwToHwc(pixels, i * PIXELS, images, i * PIXELS);
  if (numClasses === 100) {
    return {
      images,
      labels: labelArray(field(d, 'fine_labels', file), 'fine_labels', file, n, 100),
      coarse: labelArray(field(d, 'coarse_labels', file), 'coarse_labels', file, n, 20),
    };
  }
  return { images, labels: labelArray(field(d, 'labels', file), 'labels', file, n, numClasses) };
}

/** Class names from a python-version meta pickle (`batches.meta` or `meta`). */
export function parseCifarPickleMeta(bytes: Uint8Array, file: string, key: string): string[] {
  const d = readPickle(bytes, file);
  if (!(d instanceof Map)) throw new DatasetError(file, 'pickle does not hold a dict');
  const names = field(d, key, file);
  if (!Array.isArray(names)) throw new DatasetError(file, `'${key}' is not a list`);
  return names.map((n) => (n instanceof Uint8Array ? new TextDecoder().decode(n) : String(n)));
}
