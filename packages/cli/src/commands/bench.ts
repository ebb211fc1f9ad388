import type { Command } from '../cli';
import { CliError } from '../util/errors';

export const benchCommand: Command = {
  summary: 'bench',
  help: 'Usage: residual bench --help\n',
  async run() {
    throw new CliError("'residual bench' is not available in this build yet");
  },
};
