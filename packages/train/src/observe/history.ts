import { nodeBuiltin } from '@residual/tensor';
import { writeFileAtomic } from '../checkpoint/atomic';

// Node built-ins are loaded at call time: browser bundles of this package never resolve them.
const nodeFs = () => nodeBuiltin('node:fs', 'training history files');
const nodePath = () => nodeBuiltin('node:path', 'training history files');

/**
 * One epoch of training: losses in nats, accuracies in [0, 1], the learning rate at the epoch's end
 * (first parameter group), throughput.
 */
export interface EpochRecord {
  epoch: number;
  iteration: number;
  lr: number;
  train_loss: number;
  train_acc1: number;
  train_acc5: number;
  val_loss?: number;
  val_acc1?: number;
  val_acc5?: number;
  seconds: number;
  images_per_sec: number;
  /** 1 when training stopped inside this epoch (an iteration budget); a resume replaces the record. */
  partial?: number;
  /** Iterations done in a partial epoch. */
  epoch_iterations?: number;
  /** 1 for a mid-epoch record written every `logEvery` iterations. */
  interim?: number;
  [key: string]: number | undefined;
}

const COLUMNS = ['epoch', 'iteration', 'lr', 'train_loss', 'train_acc1', 'train_acc5', 'val_loss', 'val_acc1', 'val_acc5', 'seconds', 'images_per_sec'];

/**
 * History as CSV (fixed leading columns, then any extra keys), one row per epoch.
 *
 * @example
 * ```ts
 * import { historyToCsv } from '@residual/train';
 * console.log(historyToCsv(result.history)); // epoch,iteration,lr,train_loss,...
 * ```
 */
export function historyToCsv(history: EpochRecord[]): string {
  const extra = [...new Set(history.flatMap((r) => Object.keys(r)))].filter((k) => !COLUMNS.includes(k)).sort();
  const cols = [...COLUMNS, ...extra];
  const rows = history.map((r) => cols.map((c) => (r[c] === undefined || r[c] === null ? '' : String(r[c]))).join(','));
  return `${cols.join(',')}\n${rows.join('\n')}${rows.length ? '\n' : ''}`;
}

/**
 * Write `history.jsonl` and `history.csv` into `dir` (atomically, the whole history each time, so a
 * resumed run never duplicates rows).
 *
 * @example
 * ```ts
 * import { writeHistory, readHistory } from '@residual/train';
 * writeHistory('runs/r20', result.history);
 * const again = readHistory('runs/r20/history.jsonl');
 * ```
 */
export function writeHistory(dir: string, history: EpochRecord[]): void {
  nodeFs().mkdirSync(dir, { recursive: true });
  writeFileAtomic(nodePath().join(dir, 'history.jsonl'), history.map((r) => JSON.stringify(r)).join('\n') + (history.length ? '\n' : ''));
  writeFileAtomic(nodePath().join(dir, 'history.csv'), historyToCsv(history));
}

/**
 * Read a `history.jsonl` file (or the one in a run directory).
 *
 * @example
 * ```ts
 * import { readHistory, plotHistory } from '@residual/train';
 * await plotHistory(readHistory('runs/r20'), { out: 'runs/r20/curves' });
 * ```
 */
export function readHistory(path: string): EpochRecord[] {
  const file = nodeFs().existsSync(nodePath().join(path, 'history.jsonl')) ? nodePath().join(path, 'history.jsonl') : path;
  return nodeFs().readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as EpochRecord;
      } catch {
        throw new Error(`${file}:${i + 1}: not a JSON line`);
      }
    });
}
