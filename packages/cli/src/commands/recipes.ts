import type { Command } from '../cli';
import { CliError } from '../util/errors';

export const recipesCommand: Command = {
  summary: 'recipes',
  help: 'Usage: residual recipes --help\n',
  async run() {
    throw new CliError("'residual recipes' is not available in this build yet");
  },
};
