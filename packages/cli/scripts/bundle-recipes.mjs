// Build step: copy the recipes (examples/recipes/recipes/*.json) into dist/recipes, so that the
// published CLI lists and runs every recipe without the private @residual/recipes package.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const from = join(here, '..', '..', '..', 'examples', 'recipes', 'recipes');
const to = join(here, '..', 'dist', 'recipes');
mkdirSync(to, { recursive: true });
const files = readdirSync(from).filter((f) => f.endsWith('.json'));
// In the repository a recipe's "$schema" points at packages/cli/recipe.schema.json; in the package, at
// the copy in its root (dist/recipes/x.json → ../../recipe.schema.json).
for (const f of files) {
  const text = readFileSync(join(from, f), 'utf8').replace(/"\$schema": "[^"]*"/, '"$schema": "../../recipe.schema.json"');
  writeFileSync(join(to, f), text);
}
console.log(`bundled ${files.length} recipes into dist/recipes`);
