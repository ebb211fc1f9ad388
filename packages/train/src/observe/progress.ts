/** Where progress goes: a stream-like sink (`process.stderr` by default). */
export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Output (default `process.stderr`). */
  stream?: ProgressSink;
  /** Force the bar (`true`) or plain lines (`false`); default: a bar on a TTY. */
  tty?: boolean;
  /** Plain-line mode: print every `every` steps (default: ~10 lines per epoch, or every 50 steps). */
  every?: number;
}

/** One update of the progress display. */
export interface ProgressUpdate {
  epoch: number;
  epochs?: number;
  step: number;
  steps?: number;
  loss: number;
  acc1: number;
  imagesPerSec: number;
  lr: number;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/**
 * A progress bar (images/s, loss, accuracy, ETA) redrawn in place on a TTY; plain lines otherwise
 * (logs, CI), so files never fill with carriage returns. `fit` drives one; use it for custom loops.
 *
 * @example
 * ```ts
 * import { Progress } from '@residual/train';
 * const p = new Progress();
 * p.update({ epoch: 0, epochs: 1, step: 10, steps: 391, loss: 1.2, acc1: 0.6, imagesPerSec: 900, lr: 0.1 }, 52);
 * p.line('epoch 1 done');
 * ```
 */
export class Progress {
  private readonly stream: ProgressSink;
  private readonly tty: boolean;
  private readonly every?: number;
  private drawn = false;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? !!this.stream.isTTY;
    this.every = options.every;
  }

  /** Render one training step. `etaSeconds` is for the current epoch. */
  update(u: ProgressUpdate, etaSeconds: number): void {
    const ep = u.epochs ? `${u.epoch + 1}/${u.epochs}` : `${u.epoch + 1}`;
    const stats = `${u.imagesPerSec.toFixed(0)} img/s loss ${u.loss.toFixed(4)} acc ${(100 * u.acc1).toFixed(2)}% lr ${u.lr.toPrecision(3)} ETA ${fmtTime(etaSeconds)}`;
    if (this.tty) {
      const cols = this.stream.columns ?? 120;
      this.stream.write(`\r${fitLine(u, ep, etaSeconds, cols - 1)}\x1b[K`);
      this.drawn = true;
      return;
    }
    const every = this.every ?? (u.steps ? Math.max(1, Math.round(u.steps / 10)) : 50);
    if (u.step % every === 0 || u.step === u.steps) this.stream.write(`epoch ${ep} step ${u.step}${u.steps ? `/${u.steps}` : ''} ${stats}\n`);
  }

  /** Print a full line (ends the bar's line first). */
  line(text: string): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
    this.stream.write(`${text}\n`);
  }
}

/**
 * The TTY progress line in at most `width` characters. What matters most stays: the step and the ETA
 * at the end; the bar narrows first, then lr, images/s and accuracy are dropped in that order.
 */
export function fitLine(u: ProgressUpdate, ep: string, etaSeconds: number, width: number): string {
  const step = `${u.step}${u.steps ? `/${u.steps}` : ''}`;
  const parts = {
    ips: `${u.imagesPerSec.toFixed(0)} img/s`,
    loss: `loss ${u.loss.toFixed(4)}`,
    acc: `acc ${(100 * u.acc1).toFixed(2)}%`,
    lr: `lr ${u.lr.toPrecision(3)}`,
  };
  const eta = `ETA ${fmtTime(etaSeconds)}`;
  const bar = (w: number) => {
    if (!u.steps || w < 5) return '';
    const fill = Math.round(Math.min(1, u.step / u.steps) * w);
    return `[${'='.repeat(Math.max(0, fill - 1))}${fill ? '>' : ''}${' '.repeat(w - fill)}]`;
  };
  const compose = (w: number, keep: Array<keyof typeof parts>) =>
    [`epoch ${ep}`, bar(w), step, ...keep.map((k) => parts[k]), eta].filter(Boolean).join(' ');
  const keep: Array<keyof typeof parts> = ['ips', 'loss', 'acc', 'lr'];
  for (let w = 24; w >= 10; w -= 2) {
    const line = compose(w, keep);
    if (line.length <= width) return line;
  }
  for (const drop of ['lr', 'ips', 'acc'] as const) {
    keep.splice(keep.indexOf(drop), 1);
    const line = compose(0, keep);
    if (line.length <= width) return line;
  }
  const line = compose(0, []);
  return line.length <= width ? line : line.slice(line.length - width); // the ETA is at the end
}

