import type { Command } from '../cli';
import { CliError } from '../util/errors';

export const evalCommand: Command = {
  summary: 'eval',
  help: 'Usage: residual eval --help\n',
  async run() {
    throw new CliError("'residual eval' is not available in this build yet");
  },
};
