import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { TRANSFORM_FIELDS } from './schema';
import { EVALUATION_FIELDS, SCHED_FIELDS, SGD_FIELDS } from './validate';

// recipe.schema.json is generated from the Recipe type (scripts/gen-recipe-schema.mjs); editors check
// recipe files against it through their "$schema". Here: it is current, every shipped recipe passes,
// and a typo is reported at the field, as an editor would underline it.
const PKG = join(__dirname, '..', '..');
const RECIPES = join(PKG, '..', '..', 'examples', 'recipes', 'recipes');
const schema = JSON.parse(readFileSync(join(PKG, 'recipe.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const names = readdirSync(RECIPES).filter((f) => f.endsWith('.json'));

function errorsOf(recipe: unknown): ErrorObject[] {
  return validate(recipe) ? [] : [...(validate.errors ?? [])];
}

test('recipe.schema.json is what the Recipe type generates', () => {
  const out = execFileSync(process.execPath, [join(PKG, 'scripts', 'gen-recipe-schema.mjs'), '--check'], { encoding: 'utf8' });
  expect(out).toMatch(/matches/);
}, 60_000);

test.each(names)('%s passes the schema and points at it', (name) => {
  const recipe = JSON.parse(readFileSync(join(RECIPES, name), 'utf8'));
  expect(errorsOf(recipe)).toEqual([]);
  expect(recipe.$schema).toBe('../../../packages/cli/recipe.schema.json');
});

test('a misspelt field is reported with its path, top level and nested', () => {
  const good = JSON.parse(readFileSync(join(RECIPES, 'fashion-mnist-quick.json'), 'utf8'));
  expect(names.length).toBeGreaterThanOrEqual(8);

  const top = structuredClone(good);
  top.batchSise = top.batchSize;
  delete top.batchSize;
  const e1 = errorsOf(top);
  expect(e1).toContainEqual(expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'batchSise' } }));
  expect(e1).toContainEqual(expect.objectContaining({ keyword: 'required', params: { missingProperty: 'batchSize' } }));

  const nested = structuredClone(good);
  nested.optimizer.weightDecy = 1e-4;
  expect(errorsOf(nested)).toContainEqual(
    expect.objectContaining({ instancePath: '/optimizer', keyword: 'additionalProperties', params: { additionalProperty: 'weightDecy' } }),
  );

  const badType = structuredClone(good);
  badType.stop = { epochs: 'ten' };
  expect(errorsOf(badType)).toContainEqual(expect.objectContaining({ instancePath: '/stop/epochs', keyword: 'type' }));
});

// The validator's per-name field lists (for its one-line messages) must match the declarations the
// schema comes from: @residual/train's SchedulerSpec and SGD spec, the recipe's TransformSpec.
type Variant = { properties: Record<string, unknown>; required?: string[]; anyOf?: Variant[]; $ref?: string };
const defs = schema.definitions as Record<string, Variant>;
// The object variants of a union, through `$ref`s and nested `anyOf`s (TransformSpec = ImageTransformSpec | …).
const flatten = (v: Variant): Variant[] => {
  if (v.$ref) return flatten(defs[v.$ref.replace('#/definitions/', '')]!);
  return v.anyOf ? v.anyOf.flatMap(flatten) : [v];
};
const byName = (variants: Variant[]) =>
  Object.fromEntries(variants.flatMap(flatten).map((v) => [(v.properties.name as { const: string }).const, v]));

test('the validator allows exactly the fields the schema declares, per scheduler, transform and optimizer', () => {
  const schedulers = byName(defs.SchedulerSpec!.anyOf!);
  expect(Object.keys(SCHED_FIELDS).sort()).toEqual(Object.keys(schedulers).sort());
  for (const [name, fields] of Object.entries(SCHED_FIELDS)) {
    expect([name, [...fields].sort()]).toEqual([name, Object.keys(schedulers[name]!.properties).filter((k) => k !== 'name').sort()]);
  }
  const transforms = byName(defs.TransformSpec!.anyOf!);
  expect(Object.keys(TRANSFORM_FIELDS).sort()).toEqual(Object.keys(transforms).sort());
  for (const [name, { required, optional }] of Object.entries(TRANSFORM_FIELDS)) {
    const v = transforms[name]!;
    expect([name, [...required, ...optional].sort()]).toEqual([name, Object.keys(v.properties).filter((k) => k !== 'name').sort()]);
    expect([name, [...required].sort()]).toEqual([name, (v.required ?? []).filter((k) => k !== 'name').sort()]);
  }
  expect([...SGD_FIELDS].sort()).toEqual(Object.keys(defs.SGDSpec!.properties).sort());
  const evaluation = (defs.Recipe as unknown as { properties: Record<string, { properties: Record<string, unknown> }> }).properties.evaluation!;
  expect([...EVALUATION_FIELDS].sort()).toEqual(Object.keys(evaluation.properties).sort());
});
