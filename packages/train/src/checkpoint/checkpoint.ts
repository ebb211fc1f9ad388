import { nodeBuiltin, tf, toHost } from '@residual/tensor';
import type { ModelLike } from '../model/types';
import type { Optimizer, OptimizerState } from '../optim/optimizer';
import { isTempFile, writeFileAtomic } from './atomic';
import { decodeSafetensors, encodeSafetensors } from '@residual/nn';
import { toRaw, toTensor, type RawTensor } from './raw';

// Node built-ins are loaded at call time: browser bundles of this package never resolve them.
const nodeCrypto = () => nodeBuiltin('node:crypto', 'checkpoints');
const nodeFs = () => nodeBuiltin('node:fs', 'checkpoints');
const nodePath = () => nodeBuiltin('node:path', 'checkpoints');

const FORMAT = 'residual-train-checkpoint';

/** Everything in a checkpoint besides tensors; stored as JSON next to the safetensors file. */
export interface CheckpointMeta {
  format: typeof FORMAT;
  version: 1;
  /** Completed epochs. */
  epoch: number;
  /** Completed optimizer steps since the start of training. */
  iteration: number;
  /** Completed steps inside the current (unfinished) epoch; 0 at an epoch boundary. */
  epochIteration: number;
  /** Optimizer hyper-parameters per group, per-parameter step counts and the step counter. */
  optimizer: { groups: OptimizerState['groups']; steps: OptimizerState['steps']; stepCount: number } | null;
  /** `scheduler.state()`. */
  scheduler: Record<string, unknown> | null;
  /** State of the process-wide generator (`globalRng().getState()`). */
  rng: unknown;
  /** `loader.state()` of the training loader (position inside the epoch, shuffling seed). */
  loader: unknown;
  /** Best monitored value so far. */
  best: { monitor: string; value: number; epoch: number } | null;
  /** Anything else the trainer wants back (history, early-stopping counters, run config). */
  extra: Record<string, unknown>;
  /** The safetensors file holding `model.*` and `optimizer.*` tensors, and its size (a completeness check). */
  weightsFile: string;
  weightsBytes: number;
  /** SHA-256 of the weights file (hex): a bit flip or a replaced file is detected on load. */
  weightsSha256?: string;
  /** ISO time of writing. */
  savedAt: string;
}

/** What {@link saveCheckpoint} stores. */
export interface SaveCheckpointOptions {
  /** Directory (created if needed). */
  dir: string;
  /** File stem; default `ckpt-<iteration, 9 digits>`. `'best'` is the best model. */
  name?: string;
  model: ModelLike;
  optimizer?: Optimizer<{ lr: number }> | null;
  meta: Omit<CheckpointMeta, 'format' | 'version' | 'weightsFile' | 'weightsBytes' | 'savedAt' | 'optimizer'>;
  /** Keep only the newest `keepLast` `ckpt-*` checkpoints (default: keep all). */
  keepLast?: number;
}

/** A checkpoint read back: metadata, model state dict and optimizer state (raw arrays, no tfjs tensors). */
export interface LoadedCheckpoint {
  path: string;
  meta: CheckpointMeta;
  model: Record<string, RawTensor>;
  optimizer: Record<string, RawTensor>;
}

/**
 * Default file stem of the checkpoint after `iteration` steps.
 *
 * @example
 * ```ts
 * import { checkpointName } from '@residual/train';
 * checkpointName(391); // 'ckpt-000000391'
 * ```
 */
export function checkpointName(iteration: number): string {
  return `ckpt-${String(iteration).padStart(9, '0')}`;
}

/**
 * Write model weights and optimizer buffers (safetensors) and the rest (JSON), each atomically; the JSON
 * is written last, so a checkpoint exists exactly when its JSON does. Returns the JSON path.
 *
 * @example
 * ```ts
 * import { saveCheckpoint } from '@residual/train';
 * await saveCheckpoint({ dir: 'runs/r20', model, optimizer, meta: { epoch: 1, iteration: 391, epochIteration: 0,
 *   scheduler: null, rng: null, loader: null, best: null, extra: {} } });
 * ```
 */
export async function saveCheckpoint(options: SaveCheckpointOptions): Promise<string> {
  const { dir, model, optimizer } = options;
  nodeFs().mkdirSync(dir, { recursive: true });
  const name = options.name ?? checkpointName(options.meta.iteration);
  const named: Array<[string, tf.Tensor]> = [];
  const sd = model.stateDict();
  for (const [k, v] of Object.entries(sd)) named.push([`model.${k}`, v]);
  const ost = optimizer ? optimizer.state() : null;
  if (ost) for (const [k, v] of Object.entries(ost.tensors)) named.push([`optimizer.${k}`, v]);
  // Sorted keys: the same state always gives the same bytes.
  const tensors = Object.fromEntries(named.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  let bytes: Uint8Array;
  try {
    // GPU backends read back asynchronously (webgpu in Node cannot read synchronously at all).
    await toHost(tensors);
    bytes = encodeSafetensors(tensors, { metadata: { format: FORMAT } });
  } finally {
    tf.dispose(named.map(([, t]) => t));
  }
  const weightsFile = `${name}.safetensors`;
  writeFileAtomic(nodePath().join(dir, weightsFile), bytes);
  const meta: CheckpointMeta = {
    format: FORMAT,
    version: 1,
    ...options.meta,
    optimizer: ost && optimizer ? { groups: ost.groups, steps: ost.steps, stepCount: optimizer.stepCount } : null,
    weightsFile,
    weightsBytes: bytes.byteLength,
    weightsSha256: sha256(bytes),
    savedAt: new Date().toISOString(),
  };
  const jsonPath = nodePath().join(dir, `${name}.json`);
  writeFileAtomic(jsonPath, JSON.stringify(meta, null, 1));
  if (options.keepLast !== undefined) pruneCheckpoints(dir, options.keepLast);
  return jsonPath;
}

function sha256(bytes: Uint8Array): string {
  return nodeCrypto().createHash('sha256').update(bytes).digest('hex');
}

/**
 * Thrown by {@link loadCheckpoint} when a checkpoint cannot be trusted: its weights file is missing,
 * truncated, or its SHA-256 differs from the one recorded when it was written (a bit flip, a replaced
 * file), or its JSON is unreadable.
 * @example
 * ```ts
 * import { loadCheckpoint, CheckpointCorruptError } from '@residual/train';
 * try { loadCheckpoint('runs/r20'); } catch (e) { if (e instanceof CheckpointCorruptError) console.error(e.path); }
 * ```
 */
export class CheckpointCorruptError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'CheckpointCorruptError';
  }
}

/**
 * The `ckpt-*` checkpoints of a directory, oldest first (complete ones only: JSON present).
 *
 * @example
 * ```ts
 * import { listCheckpoints } from '@residual/train';
 * listCheckpoints('runs/r20'); // ['runs/r20/ckpt-000000391.json', 'runs/r20/ckpt-000000782.json']
 * ```
 */
export function listCheckpoints(dir: string): string[] {
  if (!nodeFs().existsSync(dir)) return [];
  return nodeFs().readdirSync(dir)
    .filter((f) => /^ckpt-\d+\.json$/.test(f))
    .sort()
    .map((f) => nodePath().join(dir, f));
}

/**
 * The newest complete checkpoint of `dir` (JSON path), or `null`.
 *
 * @example
 * ```ts
 * import { latestCheckpoint } from '@residual/train';
 * const path = latestCheckpoint('runs/r20'); // null before the first epoch ends
 * ```
 */
export function latestCheckpoint(dir: string): string | null {
  const all = listCheckpoints(dir);
  return all.length ? all[all.length - 1] : null;
}

function pruneCheckpoints(dir: string, keepLast: number): void {
  const all = listCheckpoints(dir);
  for (const json of all.slice(0, Math.max(0, all.length - Math.max(1, keepLast)))) {
    // JSON first: once it is gone the checkpoint no longer exists, whatever happens next.
    nodeFs().unlinkSync(json);
    const st = json.replace(/\.json$/, '.safetensors');
    if (nodeFs().existsSync(st)) nodeFs().unlinkSync(st);
  }
  // Temp files left by a writer that was killed mid-write.
  for (const f of nodeFs().readdirSync(dir)) if (isTempFile(f) && !f.endsWith(`.tmp-${process.pid}`)) nodeFs().unlinkSync(nodePath().join(dir, f));
}

/**
 * The newest checkpoint of `dir` that loads and verifies (size and SHA-256), with a note for each newer
 * one that did not (a corrupt newest checkpoint falls back to the previous one instead of failing the
 * resume, or resuming from garbage). `null` when there is no checkpoint at all; throws
 * {@link CheckpointCorruptError} when there are some and none is valid.
 * @example
 * ```ts
 * import { latestValidCheckpoint } from '@residual/train';
 * const found = latestValidCheckpoint('runs/r20');
 * found?.skipped.forEach((s) => console.warn(s)); // "runs/r20/ckpt-000000782.json: … (skipped)"
 * ```
 */
export function latestValidCheckpoint(dir: string): { checkpoint: LoadedCheckpoint; skipped: string[] } | null {
  const all = listCheckpoints(dir);
  if (!all.length) return null;
  const skipped: string[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    try {
      return { checkpoint: loadCheckpoint(all[i]!), skipped };
    } catch (e) {
      if (!(e instanceof CheckpointCorruptError)) throw e;
      skipped.push(`${e.message} (skipped)`);
    }
  }
  throw new CheckpointCorruptError(dir, `${dir}: every checkpoint is corrupt:\n  ${skipped.join('\n  ')}`);
}

/**
 * Read a checkpoint: a `.json` path, or a directory (its newest `ckpt-*`). Checks that the weights file
 * is complete and, for checkpoints that record one, its SHA-256 ({@link CheckpointCorruptError}).
 *
 * @example
 * ```ts
 * import { loadCheckpoint, restoreModel } from '@residual/train';
 * const ckpt = loadCheckpoint('runs/r20');        // newest checkpoint of the run
 * restoreModel(model, ckpt);
 * console.log(ckpt.meta.epoch, ckpt.meta.iteration);
 * ```
 */
export function loadCheckpoint(path: string): LoadedCheckpoint {
  let json = path;
  if (nodeFs().existsSync(path) && nodeFs().statSync(path).isDirectory()) {
    const latest = latestCheckpoint(path);
    if (!latest) throw new Error(`${path}: no checkpoint (ckpt-*.json) in this directory`);
    json = latest;
  } else if (!json.endsWith('.json')) json = `${json}.json`;
  if (!nodeFs().existsSync(json)) throw new Error(`${json}: checkpoint not found`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(nodeFs().readFileSync(json, 'utf8')) as CheckpointMeta;
  } catch (e) {
    throw new CheckpointCorruptError(json, `${json}: not a readable checkpoint (${(e as Error).message})`);
  }
  if (meta?.format !== FORMAT) throw new Error(`${json}: not a @residual/train checkpoint (format '${String(meta?.format)}')`);
  const wpath = nodePath().join(nodePath().dirname(json), nodePath().basename(String(meta.weightsFile)));
  if (!nodeFs().existsSync(wpath)) throw new CheckpointCorruptError(json, `${json}: its weights file ${wpath} is missing`);
  const bytes = new Uint8Array(nodeFs().readFileSync(wpath));
  if (bytes.byteLength !== meta.weightsBytes)
    throw new CheckpointCorruptError(json, `${wpath}: ${bytes.byteLength} bytes, the checkpoint recorded ${meta.weightsBytes} (incomplete or replaced file)`);
  if (meta.weightsSha256 !== undefined) {
    const got = sha256(bytes);
    if (got !== meta.weightsSha256) {
      throw new CheckpointCorruptError(json, `${wpath}: SHA-256 ${got.slice(0, 16)}… differs from the ${meta.weightsSha256.slice(0, 16)}… recorded when it was written (the file is corrupt or was replaced)`);
    }
  }
  let tensors;
  try {
    tensors = decodeSafetensors(bytes, { source: wpath });
  } catch (e) {
    throw new CheckpointCorruptError(json, (e as Error).message);
  }
  const model: Record<string, RawTensor> = {};
  const optimizer: Record<string, RawTensor> = {};
  try {
    for (const [k, v] of Object.entries(tensors)) {
      if (k.startsWith('model.')) model[k.slice(6)] = toRaw(v);
      else if (k.startsWith('optimizer.')) optimizer[k.slice(10)] = toRaw(v);
    }
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return { path: json, meta, model, optimizer };
}

/**
 * Load a checkpoint's weights and buffers into `model` (strict: every key must match).
 *
 * @example
 * ```ts
 * import { loadCheckpoint, restoreModel } from '@residual/train';
 * restoreModel(model, loadCheckpoint('runs/r20/best.json'));
 * ```
 */
export function restoreModel(model: ModelLike, ckpt: LoadedCheckpoint): void {
  const sd = Object.fromEntries(Object.entries(ckpt.model).map(([k, v]) => [k, toTensor(v)]));
  try {
    model.loadStateDict(sd, { strict: true });
  } finally {
    tf.dispose(Object.values(sd));
  }
}

/**
 * Load a checkpoint's optimizer buffers and hyper-parameters into `optimizer`.
 *
 * @example
 * ```ts
 * import { loadCheckpoint, restoreOptimizer, sgd } from '@residual/train';
 * const opt = sgd({ params: model, lr: 0.1, momentum: 0.9 });
 * restoreOptimizer(opt, loadCheckpoint('runs/r20'));
 * ```
 */
export function restoreOptimizer(optimizer: Optimizer<{ lr: number }>, ckpt: LoadedCheckpoint): void {
  const o = ckpt.meta.optimizer;
  if (!o) throw new Error(`${ckpt.path}: the checkpoint holds no optimizer state`);
  const tensors = Object.fromEntries(Object.entries(ckpt.optimizer).map(([k, v]) => [k, toTensor(v)]));
  try {
    optimizer.loadState({ tensors, groups: o.groups, steps: o.steps }, o.stepCount);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
