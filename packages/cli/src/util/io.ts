/** Where a command writes: stdout and stderr of the process, or buffers in tests. */
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
