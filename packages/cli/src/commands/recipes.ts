import type { Command } from './command';
import { parse } from '../util/args';
import { CliError } from '../util/errors';
import { listRecipes, loadRecipe, readRecipeFile } from '../recipes/load';
import { expandRecipe } from '../recipes/validate';

const HELP = `Usage:
  residual recipes                      list the recipes with their descriptions
  residual recipes show NAME|FILE       print a recipe (and its runs, for multi-run recipes)
  residual recipes validate FILE...     check recipe files against the schema

Recipes are found by name in $RESIDUAL_RECIPES, the recipes bundled with this CLI, and
examples/recipes/recipes of a residual checkout; any path to a .json file works too.

Options:
  --json      machine-readable output
  -h, --help  show this help
`;

export const recipesCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse('recipes', argv, { json: { type: 'boolean' } }, true);
    const [sub, ...args] = positionals;
    if (sub === undefined || sub === 'list') {
      const all = listRecipes().map(({ name, file }) => {
        const r = readRecipeFile(file);
        return { name, file, description: r.description, runs: expandRecipe(r).length };
      });
      if (values.json) io.out(JSON.stringify(all, null, 2) + '\n');
      else for (const r of all) io.out(`${r.name}${r.runs > 1 ? ` (${r.runs} runs)` : ''}\n    ${r.description.length > 150 ? `${r.description.slice(0, 147)}...` : r.description}\n`);
      return 0;
    }
    if (sub === 'show') {
      if (args.length !== 1) throw new CliError("usage: 'residual recipes show NAME|FILE'", 2);
      const { recipe, file } = loadRecipe(args[0]!);
      io.out(values.json ? JSON.stringify(recipe, null, 2) + '\n' : `# ${file}\n${JSON.stringify(recipe, null, 2)}\nruns: ${expandRecipe(recipe).map((r) => r.runName).join(', ')}\n`);
      return 0;
    }
    if (sub === 'validate') {
      if (!args.length) throw new CliError("usage: 'residual recipes validate FILE...'", 2);
      let bad = 0;
      for (const f of args) {
        try {
          const { recipe } = loadRecipe(f);
          io.out(`${f}: ok (${expandRecipe(recipe).length} run${expandRecipe(recipe).length > 1 ? 's' : ''})\n`);
        } catch (e) {
          bad++;
          io.err(`${(e as Error).message}\n`);
        }
      }
      return bad ? 1 : 0;
    }
    throw new CliError(`unknown subcommand '${sub}' (list, show, validate)`, 2);
  },
};
