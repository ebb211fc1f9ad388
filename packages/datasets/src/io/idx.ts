import { DatasetError } from '../errors';
import { readMaybeGzip } from './files';

/** A parsed IDX array (the MNIST file format): unsigned bytes with big-endian dimensions. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parse an IDX file's bytes. Only the unsigned-byte type (0x08) is supported, which is what MNIST and
 * Fashion-MNIST use. `expectRank` checks the magic (0x00000801 for labels, 0x00000803 for images).
 *
 * @example
 * ```ts
 * const labels = parseIdx(bytes, 'train-labels-idx1-ubyte', 1); // labels.dims = [60000]
 * ```
 */
export function parseIdx(bytes: Uint8Array, file: string, expectRank?: number): IdxArray {
  if (bytes.length < 4) throw new DatasetError(file, `too short for an IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = (magic >>> 8) & 0xff;
  const rank = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== 0x08) {
    throw new DatasetError(file, `bad IDX magic 0x${magic.toString(16).padStart(8, '0')} (expected 0x0000080${expectRank ?? 'N'})`);
  }
  if (expectRank !== undefined && rank !== expectRank) {
    throw new DatasetError(
      file,
      `bad IDX magic 0x${magic.toString(16).padStart(8, '0')}: rank ${rank}, expected 0x0000080${expectRank}`,
    );
  }
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new DatasetError(file, `truncated IDX header (${bytes.length} bytes, rank ${rank})`);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - header;
  if (actual !== count) {
    throw new DatasetError(
      file,
      `IDX dims [${dims.join(', ')}] need ${count} data bytes but the file has ${actual} (${actual < count ? 'truncated' : 'trailing data'})`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/**
 * Read and parse an IDX file, gzipped or not.
 *
 * @example
 * ```ts
 * const images = await readIdx('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz', 3); // dims [10000, 28, 28]
 * ```
 */
export async function readIdx(file: string, expectRank?: number): Promise<IdxArray> {
  return parseIdx(await readMaybeGzip(file), file, expectRank);
}
