import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { CliError, unknownName } from '../util/errors';
import { validateRecipe } from './validate';
import type { Recipe } from './schema';

/**
 * Folders searched for recipes by name: `$RESIDUAL_RECIPES`, the recipes bundled into this package
 * (`dist/recipes`, copied at build time), the `@residual/recipes` package when installed, and
 * `examples/recipes/recipes` of the residual checkout this CLI runs from.
 *
 * @example
 * ```ts
 * import { recipeDirs } from '@residual/cli';
 * console.log(recipeDirs()); // ['/…/examples/recipes/recipes']
 * ```
 */
export function recipeDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.RESIDUAL_RECIPES) dirs.push(resolve(process.env.RESIDUAL_RECIPES));
  // Shipped with the CLI (scripts/bundle-recipes.mjs): an npm-installed `residual` has every recipe.
  dirs.push(join(__dirname, 'recipes'));
  for (const base of [process.cwd(), __dirname]) {
    try {
      const req = createRequire(join(base, 'noop.js'));
      dirs.push(join(dirname(req.resolve('@residual/recipes/package.json')), 'recipes'));
    } catch {
      // not installed from here
    }
  }
  // A checkout: walk up from this file to the monorepo root.
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(d, 'examples', 'recipes', 'recipes');
    if (existsSync(candidate)) dirs.push(candidate);
    d = dirname(d);
  }
  return [...new Set(dirs)].filter((p) => existsSync(p));
}

/**
 * Names of the recipes found in {@link recipeDirs}, sorted, with their files.
 *
 * @example
 * ```ts
 * import { listRecipes } from '@residual/cli';
 * listRecipes().map((r) => r.name); // ['cifar10-resnet-bottleneck', …]
 * ```
 */
export function listRecipes(): Array<{ name: string; file: string }> {
  const seen = new Map<string, string>();
  for (const dir of recipeDirs()) {
    for (const f of readdirSync(dir)) {
      if (f.endsWith('.json') && !seen.has(f.slice(0, -5))) seen.set(f.slice(0, -5), join(dir, f));
    }
  }
  return [...seen.entries()].map(([name, file]) => ({ name, file })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Reads and validates one recipe file.
 *
 * @example
 * ```ts
 * import { readRecipeFile } from '@residual/cli';
 * const recipe = readRecipeFile('my-recipe.json');
 * ```
 */
export function readRecipeFile(file: string): Recipe {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`recipe file not found: ${file} (${(e as NodeJS.ErrnoException).code ?? ''})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return validateRecipe(json, file);
}

/**
 * Loads a recipe by name (`cifar10-resnet20-paper`) or path (`./my-recipe.json`).
 *
 * @example
 * ```ts
 * import { loadRecipe } from '@residual/cli';
 * const { recipe, file } = loadRecipe('fashion-mnist-resnet20');
 * ```
 */
export function loadRecipe(nameOrFile: string): { recipe: Recipe; file: string } {
  if (nameOrFile.endsWith('.json') || nameOrFile.includes('/') || nameOrFile.includes('\\')) {
    const file = resolve(nameOrFile);
    if (!existsSync(file)) throw new CliError(`recipe file not found: ${file}`);
    return { recipe: readRecipeFile(file), file };
  }
  const all = listRecipes();
  const hit = all.find((r) => r.name === nameOrFile);
  if (!hit) {
    throw unknownName('recipe', nameOrFile, all.map((r) => r.name), "'residual recipes' lists them; or pass a path to a .json file");
  }
  return { recipe: readRecipeFile(hit.file), file: hit.file };
}
