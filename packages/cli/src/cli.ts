import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './util/errors';
import { closeNames } from './util/errors';
import type { Io } from './util/io';
import { processIo } from './util/io';

export type { Command } from './commands/command';
import type { Command } from './commands/command';

const COMMANDS: Record<string, () => Promise<Command>> = {
  models: async () => (await import('./commands/models')).modelsCommand,
  predict: async () => (await import('./commands/predict')).predictCommand,
  train: async () => (await import('./commands/train')).trainCommand,
  eval: async () => (await import('./commands/eval')).evalCommand,
  datasets: async () => (await import('./commands/datasets')).datasetsCommand,
  recipes: async () => (await import('./commands/recipes')).recipesCommand,
  bench: async () => (await import('./commands/bench')).benchCommand,
  sweep: async () => (await import('./commands/sweep')).sweepCommand,
  worker: async () => (await import('./commands/worker')).workerCommand,
};

const SUMMARIES: Record<string, string> = {
  models: 'list the model zoo: parameters, multiply-adds, reference accuracy',
  predict: 'run a model on an NCHW .npy batch or on image files',
  train: 'train from a recipe (paper settings), writing history, checkpoints, curves and a report',
  eval: 'evaluate weights on a dataset (single crop, ten-crop, multi-scale)',
  datasets: 'download or locate datasets (cifar10, cifar100, fashion-mnist)',
  recipes: 'list and validate training recipes',
  bench: 'run the benchmarks of @residual/bench',
  sweep: "spread a study's runs (variants × seeds) over machines on Redis: submit, status, report",
  worker: 'train the runs of sweeps from the queue into the shared run store',
};

/** The top-level help text. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(SUMMARIES).map((k) => k.length));
  return [
    'Usage: residual <command> [options]',
    '',
    'ResNets on TensorFlow.js, built, trained and evaluated as He et al. (2016) and torchvision do.',
    '',
    'Commands:',
    ...Object.entries(SUMMARIES).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    '',
    "Run 'residual <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/**
 * Runs the `residual` command line with `argv` (without `node` and the script path).
 * Resolves to the process exit code: 0 success, 1 failure, 2 usage error.
 *
 * @example
 * ```ts
 * import { main } from '@residual/cli';
 * const code = await main(['models', '--json']);
 * ```
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    const close = closeNames(name, Object.keys(COMMANDS));
    io.err(`residual: unknown command '${name}'${close.length ? `; did you mean ${close.join(', ')}?` : ''} (see 'residual --help')\n`);
    return 2;
  }
  const command = await load();
  // Options after '--' belong to a delegated tool (residual bench -- --help).
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (own.includes('--help') || own.includes('-h')) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`residual ${name}: error: ${e.message}\n`);
      return e.exitCode;
    }
    // Errors from the libraries (bad safetensors, shape mismatches) already say what is wrong.
    const err = e as Error;
    io.err(`residual ${name}: error: ${err?.message ?? String(e)}\n`);
    if (process.env.RESIDUAL_DEBUG) io.err(`${err?.stack ?? ''}\n`);
    return 1;
  }
}

/**
 * This package's version, read from its package.json (next to `src/` and `dist/`).
 *
 * @example
 * ```ts
 * import { VERSION } from '@residual/cli';
 * console.log(VERSION); // '0.1.0'
 * ```
 */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();
