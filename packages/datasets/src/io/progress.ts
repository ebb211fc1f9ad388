/** Progress of a transfer: bytes done and, when the server said, bytes in total. */
export interface ProgressEvent {
  /** File or URL being transferred. */
  name: string;
  transferred: number;
  total: number | null;
}

/** A progress sink; {@link progressBar} is the default one. */
export type ProgressCallback = (event: ProgressEvent) => void;

function human(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/**
 * A progress renderer: an in-place bar on a TTY, plain lines at most every `intervalMs` otherwise
 * (so CI logs stay short). Call with `done: true` semantics by passing `transferred === total`.
 *
 * @example
 * ```ts
 * const onProgress = progressBar(process.stderr);
 * onProgress({ name: 'cifar-10-binary.tar.gz', transferred: 1024, total: 4096 });
 * ```
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr, intervalMs = 5000): ProgressCallback {
  let last = 0;
  const tty = Boolean(stream.isTTY);
  return (e) => {
    const now = Date.now();
    const done = e.total !== null && e.transferred >= e.total;
    if (!done && now - last < (tty ? 100 : intervalMs)) return;
    last = now;
    const pct = e.total ? Math.min(100, (100 * e.transferred) / e.total) : null;
    const size = `${human(e.transferred)}${e.total ? ` / ${human(e.total)}` : ''}`;
    if (tty) {
      const width = 30;
      const fill = pct === null ? 0 : Math.round((pct / 100) * width);
      const bar = pct === null ? '' : `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${pct.toFixed(1).padStart(5)}% `;
      stream.write(`\r${e.name} ${bar}${size}${done ? '\n' : ''}`);
    } else {
      stream.write(`${e.name}: ${pct === null ? '' : `${pct.toFixed(0)}% `}${size}\n`);
    }
  };
}
