import type { Command } from '../cli';
import { CliError } from '../util/errors';

export const datasetsCommand: Command = {
  summary: 'datasets',
  help: 'Usage: residual datasets --help\n',
  async run() {
    throw new CliError("'residual datasets' is not available in this build yet");
  },
};
