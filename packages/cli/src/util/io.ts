/**
 * Where a command writes: stdout and stderr of the process, or buffers in tests. {@link main} takes one.
 *
 * @example
 * ```ts
 * import { main, type Io } from '@residual/cli';
 * let out = '';
 * const io: Io = { out: (t) => void (out += t), err: (t) => void process.stderr.write(t) };
 * const code = await main(['--version'], io); // out now holds the version
 * ```
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** An {@link Io} on the process's stdout/stderr. */
export function processIo(): Io {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
  };
}
