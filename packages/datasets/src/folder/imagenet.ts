import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DatasetError } from '../errors';
import { classDirs, ImageFileDataset, imageFiles, type ImageFileOptions } from './image-folder';

/** Options of {@link ImageNet.load}. */
export interface ImageNetOptions extends ImageFileOptions {
  /** Directory holding `train/` and `val/` (e.g. Kaggle's `ILSVRC/Data/CLS-LOC`). */
  root: string;
  /** Default `'train'`. */
  split?: 'train' | 'val';
  /**
   * Ground truth for a flat `val/` folder (`ImageId,PredictionString` rows, the first token of the
   * prediction string being the wnid). Default: `LOC_val_solution.csv` in `root` or up to three parents.
   */
  valSolution?: string;
  /** `wnid description` lines (`LOC_synset_mapping.txt`). Default: searched like `valSolution`. */
  synsetMapping?: string;
}

const JPEG_EXTENSIONS = ['.jpeg', '.jpg', '.png'];

function findUp(root: string, name: string): string | undefined {
  let dir = root;
  for (let k = 0; k < 4; k++) {
    const cand = join(dir, name);
    if (existsSync(cand)) return cand;
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * Parse `LOC_synset_mapping.txt`: `n01440764 tench, Tinca tinca` per line.
 *
 * @example
 * ```ts
 * parseSynsetMapping('n01440764 tench, Tinca tinca\n', 'LOC_synset_mapping.txt').get('n01440764'); // 'tench, Tinca tinca'
 * ```
 */
export function parseSynsetMapping(text: string, file: string): Map<string, string> {
  const map = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (!t) return;
    const m = /^(n\d{8})\s+(.*)$/.exec(t);
    if (!m) throw new DatasetError(file, `line ${i + 1} is not "<wnid> <names>": ${JSON.stringify(t.slice(0, 60))}`);
    map.set(m[1], m[2]);
  });
  return map;
}

/**
 * Parse `LOC_val_solution.csv` into image id → wnid (the first token of each prediction string).
 *
 * @example
 * ```ts
 * parseValSolution('ImageId,PredictionString\nILSVRC2012_val_00000001,n01751748 1 2 3 4\n', 'f.csv').get('ILSVRC2012_val_00000001'); // 'n01751748'
 * ```
 */
export function parseValSolution(text: string, file: string): Map<string, string> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (!/^ImageId\s*,\s*PredictionString/i.test(lines[0] ?? '')) {
    throw new DatasetError(file, `expected the header "ImageId,PredictionString", got ${JSON.stringify((lines[0] ?? '').slice(0, 60))}`);
  }
  const map = new Map<string, string>();
  lines.slice(1).forEach((line, i) => {
    const [id, pred] = line.split(',', 2);
    const wnid = pred?.trim().split(/\s+/)[0];
    if (!id || !wnid || !/^n\d{8}$/.test(wnid)) throw new DatasetError(file, `row ${i + 2} has no "<ImageId>,<wnid> ..." : ${JSON.stringify(line.slice(0, 60))}`);
    map.set(id.trim(), wnid);
  });
  return map;
}

/**
 * ImageNet 2012 (ILSVRC-2012 CLS-LOC). `train/<wnid>/*.JPEG`; validation either in class folders
 * (`val/<wnid>/*.JPEG`) or flat (`val/*.JPEG`) labelled by `LOC_val_solution.csv`. Labels follow the
 * sorted wnid order, as torchvision. `wnids`, short `classes` names and full `classDescriptions`
 * (from `LOC_synset_mapping.txt`, when found) turn predictions into names.
 *
 * @example
 * ```ts
 * const val = await ImageNet.load({ root: '/data/ILSVRC/Data/CLS-LOC', split: 'val', resizeShorterTo: 256, skipCorrupt: true });
 * val.classes[(await val.get(0)).label]; // e.g. 'tench'
 * ```
 */
export class ImageNet extends ImageFileDataset {
  /** WordNet ids, in label order. */
  readonly wnids: readonly string[];
  /** Full synset descriptions (`'tench, Tinca tinca'`), or the wnid when no mapping was found. */
  readonly classDescriptions: readonly string[];

  constructor(
    samples: ReadonlyArray<readonly [string, number]>,
    wnids: readonly string[],
    descriptions: readonly string[],
    options: ImageFileOptions = {},
  ) {
    super(samples, descriptions.map((d) => d.split(',')[0].trim()), options);
    this.wnids = wnids;
    this.classDescriptions = descriptions;
  }

  /** Scan the split (no image is decoded yet). */
  static async load(options: ImageNetOptions): Promise<ImageNet> {
    const split = options.split ?? 'train';
    const dir = join(options.root, split);
    if (!existsSync(dir)) throw new DatasetError(dir, `ImageNet ${split} folder not found`);
    const mappingFile = options.synsetMapping ?? findUp(options.root, 'LOC_synset_mapping.txt');
    const mapping = mappingFile ? parseSynsetMapping(await readFile(mappingFile, 'utf8'), mappingFile) : undefined;
    const folders = await classDirs(dir);
    const samples: Array<[string, number]> = [];
    // Class list: the split's own folders (torchvision ImageFolder semantics), else the train folders (so a
    // flat val agrees with train, subsets included), else the synset mapping, else the CSV's wnids.
    const trainDir = join(options.root, 'train');
    const trainFolders = folders.length === 0 && split !== 'train' && existsSync(trainDir) ? await classDirs(trainDir) : [];
    let wnids: string[] = folders.length > 0 ? folders : trainFolders;
    if (folders.length > 0) {
      const empty: string[] = [];
      for (const [label, f] of folders.entries()) {
        const files = await imageFiles(join(dir, f), JPEG_EXTENSIONS);
        if (files.length === 0) empty.push(f);
        for (const file of files) samples.push([file, label]);
      }
      // As torchvision's ImageFolder: a class without images would shift nothing but still be a class
      // no sample can have (accuracies over a wrong number of classes, a head with a dead output).
      if (empty.length > 0) {
        throw new DatasetError(dir, `found no image files (${JPEG_EXTENSIONS.join(', ')}) for class folder(s): ${empty.slice(0, 10).join(', ')}${empty.length > 10 ? ` and ${empty.length - 10} more` : ''}`);
      }
    } else {
      const csv = options.valSolution ?? findUp(options.root, 'LOC_val_solution.csv');
      if (!csv) throw new DatasetError(dir, 'has no class folders and no LOC_val_solution.csv was found (pass valSolution)');
      const truth = parseValSolution(await readFile(csv, 'utf8'), csv);
      if (wnids.length === 0) wnids = mapping ? [...mapping.keys()].sort() : [...new Set(truth.values())].sort();
      const index = new Map(wnids.map((w, i) => [w, i]));
      for (const file of await imageFiles(dir, JPEG_EXTENSIONS)) {
        const id = file.slice(dir.length + 1).replace(/\.[^.]+$/, '');
        const wnid = truth.get(id);
        if (!wnid) throw new DatasetError(csv, `has no row for ${file}`);
        const label = index.get(wnid);
        if (label === undefined) throw new DatasetError(csv, `wnid ${wnid} of ${id} is not one of the ${wnids.length} classes (${trainFolders.length ? trainDir : (mappingFile ?? csv)})`);
        samples.push([file, label]);
      }
    }
    if (samples.length === 0) throw new DatasetError(dir, 'holds no images');
    const descriptions = wnids.map((w) => mapping?.get(w) ?? w);
    return new ImageNet(samples, wnids, descriptions, options);
  }
}
