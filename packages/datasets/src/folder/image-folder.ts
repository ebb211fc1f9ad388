import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DatasetError } from '../errors';
import { decodeImage } from '../io/image';
import type { Dataset, DecodeHintTarget, Sample } from '../types';

/**
 * The file extensions {@link ImageFolder} treats as images, as torchvision's `IMG_EXTENSIONS`
 * (matched case-insensitively).
 * @example
 * ```ts
 * import { extname } from 'node:path';
 * import { IMG_EXTENSIONS } from '@residual/datasets';
 * const isImage = (f: string) => (IMG_EXTENSIONS as readonly string[]).includes(extname(f).toLowerCase());
 * ```
 */
export const IMG_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'] as const;

/** Options shared by {@link ImageFolder} and {@link ImageNet}. */
export interface ImageFileOptions {
  /** Resize while decoding (shrink-on-load); see {@link DecodeOptions.resizeShorterTo}. */
  resizeShorterTo?: number;
  /**
   * Return `{ image: null }` for an image that cannot be decoded instead of throwing; the
   * {@link DataLoader} drops such samples, and {@link ImageFileDataset.skippedFiles} lists them.
   */
  skipCorrupt?: boolean;
}

/** Options of {@link ImageFolder.load}. */
export interface ImageFolderOptions extends ImageFileOptions {
  /** Directory with one sub-directory per class. */
  root: string;
  /** File extensions to include (lower case, with dot). Default {@link IMG_EXTENSIONS}. */
  extensions?: readonly string[];
}

/**
 * A list of `(file, label)` pairs decoded on access with sharp; base of {@link ImageFolder} and
 * {@link ImageNet}.
 *
 * @example
 * ```ts
 * const ds = new ImageFileDataset([['/data/a.jpg', 0]], ['cat']);
 * const { image, label } = await ds.get(0);
 * ```
 */
export class ImageFileDataset implements Dataset, DecodeHintTarget {
  readonly samples: ReadonlyArray<readonly [string, number]>;
  readonly classes: readonly string[];
  readonly options: ImageFileOptions;
  /** Files that failed to decode and were skipped (with `skipCorrupt`). */
  readonly skippedFiles: string[] = [];
  /** Decode size requested by a DataLoader (used when `resizeShorterTo` is not set). */
  decodeHint: { resizeShorterTo?: number } = {};

  constructor(samples: ReadonlyArray<readonly [string, number]>, classes: readonly string[], options: ImageFileOptions = {}) {
    this.samples = samples;
    this.classes = classes;
    this.options = options;
  }

  get length(): number {
    return this.samples.length;
  }

  /** Label of every sample, in order (torchvision `targets`). */
  get targets(): Int32Array {
    return Int32Array.from(this.samples, (s) => s[1]);
  }

  /** Decode at a smaller size from now on (see {@link DecodeHintTarget}); explicit options win. */
  setDecodeHint(hint: { resizeShorterTo?: number }): void {
    this.decodeHint = { ...hint };
  }

  async get(index: number): Promise<Sample> {
    const s = this.samples[index];
    if (!s) throw new RangeError(`index ${index} out of range for a dataset of ${this.samples.length} images`);
    const [file, label] = s;
    try {
      const size = this.options.resizeShorterTo ?? this.decodeHint.resizeShorterTo;
      const opts = size === undefined ? {} : { resizeShorterTo: size };
      return { image: await decodeImage(file, opts), label };
    } catch (e) {
      if (!this.options.skipCorrupt) throw e;
      if (!this.skippedFiles.includes(file)) this.skippedFiles.push(file);
      return { image: null, label };
    }
  }
}

/** Sorted sub-directory names of `dir` (code-point order, as Python's `sorted`). */
export async function classDirs(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new DatasetError(dir, `cannot list directory: ${(e as Error).message}`);
  }
  const names: string[] = [];
  for (const e of entries) if (e.isDirectory() || (e.isSymbolicLink() && (await linkIsDirectory(join(dir, e.name))))) names.push(e.name);
  return names.sort();
}

/**
 * Whether a symbolic link leads to a directory. A broken link or a link loop (ENOENT, ELOOP) is not
 * a directory: it is listed like a file, so decoding it fails naming it and `skipCorrupt` can skip it.
 */
async function linkIsDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Image files below `dir`, recursively, in torchvision's order (directories sorted, then file names). */
export async function imageFiles(dir: string, extensions: readonly string[]): Promise<string[]> {
  const groups: Array<[string, string[]]> = [];
  // A directory link back up the tree (`a -> ..`) would recurse forever: each real folder is walked once.
  const seen = new Set<string>();
  const walk = async (d: string): Promise<void> => {
    const real = await realpath(d).catch(() => d);
    if (seen.has(real)) return;
    seen.add(real);
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (e) {
      throw new DatasetError(d, `cannot list directory: ${(e as Error).message}`);
    }
    const files: string[] = [];
    for (const e of entries) {
      const p = join(d, e.name);
      const isDir = e.isDirectory() || (e.isSymbolicLink() && (await linkIsDirectory(p)));
      if (isDir) await walk(p);
      else if (extensions.includes(extname(e.name).toLowerCase())) files.push(e.name);
    }
    groups.push([d, files.sort()]);
  };
  await walk(dir);
  groups.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return groups.flatMap(([d, files]) => files.map((f) => join(d, f)));
}

/**
 * Any `root/<class>/<image>` tree (torchvision `ImageFolder`): classes are the sorted sub-directory
 * names, label = position in that list; images are found recursively. Imagenette and similar sets
 * work through it.
 *
 * @example
 * ```ts
 * const ds = await ImageFolder.load({ root: '/data/imagenette2-160/train', resizeShorterTo: 160 });
 * ds.classes;                 // ['n01440764', 'n02102040', ...]
 * const { image, label } = await ds.get(0);
 * ```
 */
export class ImageFolder extends ImageFileDataset {
  /** Class name → label. */
  readonly classToIdx: Readonly<Record<string, number>>;

  constructor(samples: ReadonlyArray<readonly [string, number]>, classes: readonly string[], options: ImageFileOptions = {}) {
    super(samples, classes, options);
    this.classToIdx = Object.fromEntries(classes.map((c, i) => [c, i]));
  }

  /** Scan `root` and build the dataset (no image is decoded yet). */
  static async load(options: ImageFolderOptions): Promise<ImageFolder> {
    const classes = await classDirs(options.root);
    if (classes.length === 0) throw new DatasetError(options.root, 'has no class sub-directories (expected root/<class>/<image>)');
    const extensions = (options.extensions ?? IMG_EXTENSIONS).map((e) => e.toLowerCase());
    const samples: Array<[string, number]> = [];
    const empty: string[] = [];
    for (const [label, cls] of classes.entries()) {
      const files = await imageFiles(join(options.root, cls), extensions);
      if (files.length === 0) empty.push(cls);
      for (const f of files) samples.push([f, label]);
    }
    if (empty.length > 0) {
      throw new DatasetError(options.root, `found no image files (${extensions.join(', ')}) for class folder(s): ${empty.join(', ')}`);
    }
    return new ImageFolder(samples, classes, options);
  }
}
