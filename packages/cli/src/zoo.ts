/**
 * The CLI's view of @residual/zoo: one flat entry per model for listing, and model building and
 * weight loading with errors that say what to do.
 */
import { readFileSync } from 'node:fs';
import { decodeWeights, renameKeys, type Module } from '@residual/nn';
import { createModel, getModelCard, hasModel, listModels, type CreateModelOptions, type ModelCard } from '@residual/zoo';
import { unknownName, CliError } from './util/errors';
import { classNamesFor } from './classes';

/** One row of `residual models`. */
export interface ZooEntry {
  name: string;
  family: string;
  description: string;
  params: number;
  macs: number;
  /** Native input height (= width). */
  inputSize: number;
  inChannels: number;
  numClasses: number;
  mean: number[];
  std: number[];
  /** Dataset the reference accuracy is measured on. */
  dataset: string | undefined;
  /** Reference top-1 accuracy in percent (from torchvision, or 100 − the paper's error). */
  top1: number | undefined;
  source: string | undefined;
  citation: string;
  /** Published weight sets (`--weights TAG`), with their top-1 accuracy. */
  weights: Array<{ tag: string; top1: number; isDefault: boolean }>;
  /** Class names, when the dataset is known. Not part of the JSON listing. */
  classes?: readonly string[];
}

function toEntry(card: ModelCard): ZooEntry {
  const ref = card.referenceAccuracy;
  const top1 = ref?.top1 ?? (ref?.top1Error !== undefined ? 100 - ref.top1Error : undefined);
  return {
    name: card.name,
    family: card.family,
    description: card.description,
    params: card.params,
    macs: card.macs,
    inputSize: card.inputSize[0],
    inChannels: card.inputSize[2],
    numClasses: card.numClasses,
    mean: card.mean,
    std: card.std,
    dataset: ref?.dataset,
    top1: top1 === undefined ? undefined : Math.round(top1 * 100) / 100,
    source: ref?.source,
    citation: card.citation,
    weights: (card.weights ?? []).map((w) => ({ tag: w.tag, top1: w.accuracy.top1, isDefault: w.isDefault })),
  };
}

/** Every registered model, sorted by name. */
export function zooEntries(): ZooEntry[] {
  return listModels().map((n) => toEntry(getModelCard(n)));
}

/** The entry for `name`, or an error listing the close names. */
export function findEntry(name: string, options: { numClasses?: number; inChannels?: number } = {}): ZooEntry {
  if (!hasModel(name)) throw unknownName('model', name, listModels(), "'residual models' lists them all");
  const e = toEntry(getModelCard(name));
  if (options.numClasses !== undefined) e.numClasses = options.numClasses;
  if (options.inChannels !== undefined) e.inChannels = options.inChannels;
  const classes = classNamesFor(e);
  return classes ? { ...e, classes } : e;
}

/** Builds a registered model (fresh initialisation; load weights next). */
export function buildModel(name: string, options: CreateModelOptions = {}): Module {
  findEntry(name);
  try {
    return createModel(name, options);
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
}

/** A weights file's bytes, read once (predict reads the head's shape from them before loading). */
export function readWeightsFile(path: string): Uint8Array {
  const buf = readFileSync(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

type StateDict = Record<string, import('@residual/tensor').Tensor>;

/**
 * Decodes a weights file (a PyTorch .pth — torchvision downloads, torch.save — or safetensors, told apart
 * by content) and applies `--rename-keys` rules (other checkpoint layouts: `module.=`, `linear.=fc.`).
 * Errors name the file.
 */
export function decodeWeightsFile(path: string, bytes?: Uint8Array, rename: ReadonlyArray<readonly [string, string]> = []): StateDict {
  try {
    const sd = decodeWeights(bytes ?? readWeightsFile(path), { source: path });
    return rename.length ? renameKeys(sd, rename) : sd;
  } catch (e) {
    throw new CliError(`${path}: cannot read weights (${(e as Error).message})`);
  }
}

/** `numClasses` / `inChannels` a state dict's head and stem imply (`fc.weight` [out, in], `conv1.weight` OIHW). */
export function headShape(sd: StateDict): { numClasses?: number; inChannels?: number } {
  const fc = sd['fc.weight'] ?? sd['model.fc.weight'];
  const conv = sd['conv1.weight'] ?? sd['model.conv1.weight'];
  const out: { numClasses?: number; inChannels?: number } = {};
  if (fc?.rank === 2) out.numClasses = fc.shape[0];
  if (conv?.rank === 4) out.inChannels = conv.shape[1];
  return out;
}

/**
 * Loads a decoded state dict into `model`, strictly: every key must be there with the right shape. The
 * error names the file and the keys that do not fit. The state dict's tensors are disposed.
 */
export function loadStateInto(model: Module, path: string, stateDict: StateDict): void {
  let sd = stateDict;
  // A residual training checkpoint holds the model's state dict under 'model.'; accept it as well.
  const own = new Set([...model.namedParameters(), ...model.namedBuffers()].map(([n]) => n));
  const keys = Object.keys(sd);
  if (!keys.some((k) => own.has(k)) && keys.some((k) => k.startsWith('model.') && own.has(k.slice(6)))) {
    const stripped: StateDict = {};
    for (const k of keys) {
      if (k.startsWith('model.') && own.has(k.slice(6))) stripped[k.slice(6)] = sd[k]!;
      else sd[k]!.dispose();
    }
    sd = stripped;
  }
  try {
    const { missingKeys, unexpectedKeys } = model.loadStateDict(sd, { strict: false });
    if (missingKeys.length || unexpectedKeys.length) {
      const show = (keys: string[]) => keys.slice(0, 8).join(', ') + (keys.length > 8 ? `, … (${keys.length} in all)` : '');
      const parts = [];
      if (missingKeys.length) parts.push(`missing keys: ${show(missingKeys)}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${show(unexpectedKeys)}`);
      throw new CliError(`${path} does not fit the model (${parts.join('; ')}); are these weights of another architecture?`);
    }
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${path} does not fit the model: ${(e as Error).message}`);
  } finally {
    Object.values(sd).forEach((t) => t.dispose());
  }
}

/** {@link decodeWeightsFile} then {@link loadStateInto}. `bytes` are the file's contents when already read. */
export async function loadWeights(model: Module, path: string, bytes?: Uint8Array, rename: ReadonlyArray<readonly [string, string]> = []): Promise<void> {
  loadStateInto(model, path, decodeWeightsFile(path, bytes, rename));
}

/**
 * Parses repeatable `--rename-keys FROM=TO` values (key prefixes; an empty TO strips FROM).
 *
 * @example
 * ```ts
 * parseRenameKeys(['module.=', 'linear.=fc.']); // [['module.', ''], ['linear.', 'fc.']]
 * ```
 */
export function parseRenameKeys(values: unknown): Array<[string, string]> {
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
  return list.map((v) => {
    const s = String(v);
    const i = s.indexOf('=');
    if (i <= 0) throw new CliError(`--rename-keys expects FROM=TO (a key prefix and its replacement, TO may be empty), got '${s}'`, 2);
    return [s.slice(0, i), s.slice(i + 1)];
  });
}
