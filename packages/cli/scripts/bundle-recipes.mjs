// Build step: copy the recipes (examples/recipes/recipes/*.json) into dist/recipes, so that the
// published CLI lists and runs every recipe without the private @residual/recipes package.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const from = join(here, '..', '..', '..', 'examples', 'recipes', 'recipes');
const to = join(here, '..', 'dist', 'recipes');
mkdirSync(to, { recursive: true });
const files = readdirSync(from).filter((f) => f.endsWith('.json'));
for (const f of files) copyFileSync(join(from, f), join(to, f));
console.log(`bundled ${files.length} recipes into dist/recipes`);
