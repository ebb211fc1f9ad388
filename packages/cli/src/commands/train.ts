import type { Command } from '../cli';
import { CliError } from '../util/errors';

export const trainCommand: Command = {
  summary: 'train',
  help: 'Usage: residual train --help\n',
  async run() {
    throw new CliError("'residual train' is not available in this build yet");
  },
};
