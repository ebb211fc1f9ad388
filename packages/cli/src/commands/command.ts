import type { Io } from '../util/io';

/**
 * One `residual <command>`: its help text and what it runs. (Its one-line summary
 * lives in cli.ts, so `residual --help` lists commands without loading them.)
 *
 * @example
 * ```ts
 * const hello: Command = { help: 'Usage: residual hello\n', run: async (_argv, io) => (io.out('hi\n'), 0) };
 * ```
 */
export interface Command {
  /** Full `--help` text. */
  help: string;
  /** Runs the command; resolves to the exit code. */
  run(argv: string[], io: Io): Promise<number>;
}

