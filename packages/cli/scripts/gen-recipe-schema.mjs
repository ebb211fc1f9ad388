#!/usr/bin/env node
// Generates recipe.schema.json — the JSON Schema of a recipe file — from the `Recipe` type in
// src/recipes/schema.ts (its JSDoc becomes the descriptions editors show), so the TypeScript type and the
// schema editors check recipes against cannot drift apart.
//
//   node scripts/gen-recipe-schema.mjs          rewrite recipe.schema.json
//   node scripts/gen-recipe-schema.mjs --check  fail unless recipe.schema.json is what the type gives
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(pkg, 'recipe.schema.json');
const schema = createGenerator({
  path: join(pkg, 'src', 'recipes', 'schema.ts'),
  tsconfig: join(pkg, 'tsconfig.json'),
  type: 'Recipe',
  expose: 'export',
  topRef: true,
  additionalProperties: false,
  skipTypeCheck: true,
}).createSchema('Recipe');
schema.$id = 'https://residual.dev/recipe.schema.json';
schema.title = 'residual training recipe';
const text = JSON.stringify(schema, null, 2) + '\n';
if (process.argv.includes('--check')) {
  let old = '';
  try {
    old = readFileSync(out, 'utf8');
  } catch {
    /* missing counts as stale */
  }
  if (old !== text) {
    console.error(`gen-recipe-schema: ${out} is stale; run node scripts/gen-recipe-schema.mjs`);
    process.exit(1);
  }
  console.log('gen-recipe-schema: recipe.schema.json matches src/recipes/schema.ts');
} else {
  writeFileSync(out, text);
  console.log(`gen-recipe-schema: wrote ${out}`);
}
