import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from '../errors';
import { downloadFile, md5File } from '../io/download';
import { extractTarGz } from '../io/extract';
import type { ProgressCallback } from '../io/progress';
import { ArrayDataset } from '../memory';
import { parseCifarBinary, parseCifarPickle, parseCifarPickleMeta, type CifarArrays } from './parse';
import { CIFAR10_CLASSES, CIFAR_BASE_URL, CIFAR_LAYOUTS, CIFAR_MIRROR_ENV, type CifarLayout } from './resources';

/** Options of {@link CIFAR10.load} and {@link CIFAR100.load}. */
export interface CIFAROptions {
  /** Directory holding (or receiving) the archive and its extracted folder. */
  root: string;
  /** `'train'` (50,000 images) or `'test'` (10,000). Default `'train'`. */
  split?: 'train' | 'test';
  /** Download the binary archive when neither an extracted folder nor an archive is in `root`. */
  download?: boolean;
  /** Base URL replacing the official one; default from the `RESIDUAL_CIFAR_MIRROR` environment variable. */
  mirror?: string;
  /** Override the expected archive MD5 (for private mirrors and tests). */
  md5?: string;
  /** Download progress sink (default: a bar on stderr); `false` for silence. */
  onProgress?: ProgressCallback | false;
  /** Check every file holds the published number of records. Default `true`. */
  verifyCounts?: boolean;
  /** Which archive version to read: the binary one, the python (pickle) one, or whichever is present. Default `'auto'`. */
  format?: 'auto' | 'binary' | 'python';
}

/** Options of {@link CIFAR100.load}. */
export interface CIFAR100Options extends CIFAROptions {
  /** Which label becomes `labels`: the 100 fine classes or the 20 superclasses. Default `'fine'`. */
  targetType?: 'fine' | 'coarse';
}

type Which = keyof typeof CIFAR_LAYOUTS;
/**
 * Which published CIFAR archive version a dataset was read from: the binary one or the python (pickle)
 * one. Exported from the package as `CifarFormat`.
 * @example
 * ```ts
 * import { CIFAR10, type CifarFormat } from '@residual/datasets';
 * const format: CifarFormat = (await CIFAR10.load({ root: '/data' })).format;
 * ```
 */
export type Format = 'binary' | 'python';

function filesPresent(root: string, layout: CifarLayout, split: 'train' | 'test'): boolean {
  return layout[split].every((f) => existsSync(join(root, layout.dir, f)));
}

/** Find (or obtain) the extracted folder; returns which version it holds. */
async function locate(which: Which, o: CIFAROptions): Promise<Format> {
  const split = o.split ?? 'train';
  const formats: Format[] = o.format === 'binary' ? ['binary'] : o.format === 'python' ? ['python'] : ['binary', 'python'];
  for (const f of formats) if (filesPresent(o.root, CIFAR_LAYOUTS[which][f], split)) return f;
  for (const f of formats) {
    const layout = CIFAR_LAYOUTS[which][f];
    const archive = join(o.root, layout.archive);
    if (!existsSync(archive)) continue;
    const expected = f === 'binary' && o.md5 ? o.md5 : layout.md5;
    const actual = await md5File(archive);
    if (actual !== expected) {
      throw new DatasetError(archive, `MD5 ${actual} does not match the published ${expected}; delete it and download again`);
    }
    await extractTarGz(archive, o.root);
    if (filesPresent(o.root, layout, split)) return f;
    throw new DatasetError(archive, `extracted, but ${join(layout.dir, layout[split][0])} is missing`);
  }
  if (!o.download || !formats.includes('binary')) {
    throw new DatasetError(
      o.root,
      `no ${CIFAR_LAYOUTS[which].binary.dir}/ or ${CIFAR_LAYOUTS[which].python.dir}/ (nor their archives) found; pass download: true to fetch ${CIFAR_LAYOUTS[which].binary.archive}`,
    );
  }
  const layout = CIFAR_LAYOUTS[which].binary;
  const base = o.mirror ?? process.env[CIFAR_MIRROR_ENV] ?? CIFAR_BASE_URL;
  const url = new URL(layout.archive, base.endsWith('/') ? base : `${base}/`).toString();
  const archive = join(o.root, layout.archive);
  await downloadFile(url, archive, { md5: o.md5 ?? layout.md5, onProgress: o.onProgress });
  await extractTarGz(archive, o.root);
  if (!filesPresent(o.root, layout, split)) throw new DatasetError(archive, `downloaded, but ${layout.dir}/ lacks the ${split} files`);
  return 'binary';
}

async function readSplit(which: Which, format: Format, o: CIFAROptions): Promise<CifarArrays> {
  const layout = CIFAR_LAYOUTS[which][format];
  const split = o.split ?? 'train';
  const numClasses = which === 'cifar10' ? 10 : 100;
  const parts: CifarArrays[] = [];
  for (const [k, name] of layout[split].entries()) {
    const file = join(o.root, layout.dir, name);
    const bytes = await readFile(file).catch((e: Error) => {
      throw new DatasetError(file, `cannot read: ${e.message}`);
    });
    const expected = o.verifyCounts === false ? undefined : (split === 'train' ? layout.trainCounts : layout.testCounts)[k];
    parts.push(
      format === 'binary'
        ? parseCifarBinary(bytes, file, which === 'cifar10' ? 1 : 2, numClasses, expected)
        : parseCifarPickle(bytes, file, numClasses, expected),
    );
  }
  const cat = (get: (p: CifarArrays) => Uint8Array | undefined): Uint8Array => {
    const arrays = parts.map((p) => get(p) as Uint8Array);
    const out = new Uint8Array(arrays.reduce((s, a) => s + a.length, 0));
    let off = 0;
    for (const a of arrays) {
      out.set(a, off);
      off += a.length;
    }
    return out;
  };
  const result: CifarArrays = { images: cat((p) => p.images), labels: cat((p) => p.labels) };
  if (which === 'cifar100') result.coarse = cat((p) => p.coarse);
  return result;
}

async function readLines(file: string): Promise<string[] | undefined> {
  if (!existsSync(file)) return undefined;
  return (await readFile(file, 'utf8')).split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
}

async function readNames(which: Which, format: Format, root: string, kind: 'fine' | 'coarse'): Promise<string[] | undefined> {
  const layout = CIFAR_LAYOUTS[which][format];
  const dir = join(root, layout.dir);
  if (format === 'binary') {
    return readLines(join(dir, which === 'cifar10' ? 'batches.meta.txt' : `${kind}_label_names.txt`));
  }
  const metaFile = join(dir, which === 'cifar10' ? 'batches.meta' : 'meta');
  if (!existsSync(metaFile)) return undefined;
  return parseCifarPickleMeta(await readFile(metaFile), metaFile, which === 'cifar10' ? 'label_names' : `${kind}_label_names`);
}

const SHAPE = { height: 32, width: 32, channels: 3 };

/**
 * CIFAR-10 (32×32×3 uint8, 10 classes) from the official binary archive, or from the python-version
 * archive/folder when that is what `root` holds.
 *
 * @example
 * ```ts
 * const train = await CIFAR10.load({ root: '/data', split: 'train', download: true });
 * train.length;       // 50000
 * train.classes[0];   // 'airplane'
 * ```
 */
export class CIFAR10 extends ArrayDataset {
  /** Which archive version the data came from. */
  format: Format = 'binary';

  /** Locate (extracting or downloading as needed) and read one split. */
  static async load(options: CIFAROptions): Promise<CIFAR10> {
    const format = await locate('cifar10', options);
    const { images, labels } = await readSplit('cifar10', format, options);
    const names = (await readNames('cifar10', format, options.root, 'fine')) ?? [...CIFAR10_CLASSES];
    const ds = new CIFAR10(images, labels, SHAPE, names);
    ds.format = format;
    return ds;
  }
}

/**
 * CIFAR-100 (32×32×3 uint8) with fine (100) and coarse (20) labels. `labels` holds the kind chosen by
 * `targetType`; both are always available as {@link CIFAR100.fineLabels} and {@link CIFAR100.coarseLabels}.
 *
 * @example
 * ```ts
 * const test = await CIFAR100.load({ root: '/data', split: 'test', targetType: 'coarse' });
 * test.coarseClasses[test.get(0).label];
 * ```
 */
export class CIFAR100 extends ArrayDataset {
  format: Format = 'binary';
  fineLabels: Int32Array = new Int32Array(0);
  coarseLabels: Int32Array = new Int32Array(0);
  fineClasses: readonly string[] = [];
  coarseClasses: readonly string[] = [];

  /** Locate (extracting or downloading as needed) and read one split. */
  static async load(options: CIFAR100Options): Promise<CIFAR100> {
    const format = await locate('cifar100', options);
    const { images, labels, coarse } = await readSplit('cifar100', format, options);
    const fineNames = (await readNames('cifar100', format, options.root, 'fine')) ?? Array.from({ length: 100 }, (_, i) => String(i));
    const coarseNames = (await readNames('cifar100', format, options.root, 'coarse')) ?? Array.from({ length: 20 }, (_, i) => String(i));
    const useCoarse = options.targetType === 'coarse';
    const ds = new CIFAR100(images, useCoarse ? (coarse as Uint8Array) : labels, SHAPE, useCoarse ? coarseNames : fineNames);
    ds.format = format;
    ds.fineLabels = Int32Array.from(labels);
    ds.coarseLabels = Int32Array.from(coarse as Uint8Array);
    ds.fineClasses = fineNames;
    ds.coarseClasses = coarseNames;
    return ds;
  }
}
