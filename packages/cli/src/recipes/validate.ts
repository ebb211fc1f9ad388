import { DATASETS, TRANSFORM_FIELDS, type Recipe, type RunSpec, type SchedulerSpec } from './schema';

/**
 * A recipe that does not follow the schema; `problems` lists every field that is wrong.
 *
 * @example
 * ```ts
 * import { validateRecipe, RecipeError } from '@residual/cli';
 * try { validateRecipe({}, 'x.json'); } catch (e) { if (e instanceof RecipeError) console.log(e.problems); }
 * ```
 */
export class RecipeError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid recipe:\n  - ${problems.join('\n  - ')}`);
    this.name = 'RecipeError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
// JSON.stringify writes Infinity and NaN (from "1e999" in a recipe) as null: show them as they are.
const show = (v: unknown): string =>
  v === undefined ? 'nothing' : JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? `<${x}>` : x)).replace(/"<(-?Infinity|NaN)>"/g, '$1');

/** Collects problems with their dotted field paths. */
class Checker {
  readonly problems: string[] = [];
  fail(path: string, msg: string): void {
    this.problems.push(`field '${path}': ${msg}`);
  }
  obj(o: Obj, path: string, key: string, required: boolean): Obj | undefined {
    const v = o[key];
    const p = path ? `${path}.${key}` : key;
    if (v === undefined) {
      if (required) this.fail(p, 'is required');
      return undefined;
    }
    if (!isObj(v)) {
      this.fail(p, `expected an object, got ${show(v)}`);
      return undefined;
    }
    return v;
  }
  str(o: Obj, path: string, key: string, required: boolean, choices?: readonly string[]): string | undefined {
    const v = o[key];
    const p = path ? `${path}.${key}` : key;
    if (v === undefined) {
      if (required) this.fail(p, choices ? `is required (one of ${choices.join(', ')})` : 'is required');
      return undefined;
    }
    if (typeof v !== 'string' || v === '') this.fail(p, `expected a non-empty string, got ${show(v)}`);
    else if (choices && !choices.includes(v)) this.fail(p, `expected one of ${choices.join(', ')}, got ${show(v)}`);
    else return v;
    return undefined;
  }
  num(o: Obj, path: string, key: string, required: boolean, rule: { int?: boolean; min?: number; max?: number; gt?: number } = {}): number | undefined {
    const v = o[key];
    const p = path ? `${path}.${key}` : key;
    if (v === undefined) {
      if (required) this.fail(p, 'is required');
      return undefined;
    }
    const ok =
      typeof v === 'number' && Number.isFinite(v) && (!rule.int || Number.isInteger(v)) &&
      (rule.min === undefined || v >= rule.min) && (rule.max === undefined || v <= rule.max) &&
      (rule.gt === undefined || v > rule.gt);
    if (!ok) {
      const want = [rule.int ? 'an integer' : 'a number', rule.min !== undefined ? `≥ ${rule.min}` : '', rule.gt !== undefined ? `> ${rule.gt}` : '', rule.max !== undefined ? `≤ ${rule.max}` : ''].filter(Boolean).join(' ');
      this.fail(p, `expected ${want}, got ${show(v)}`);
      return undefined;
    }
    return v as number;
  }
  bool(o: Obj, path: string, key: string): void {
    const v = o[key];
    if (v !== undefined && typeof v !== 'boolean') this.fail(`${path}.${key}`, `expected true or false, got ${show(v)}`);
  }
  numArray(o: Obj, path: string, key: string, required: boolean, opts: { int?: boolean; length?: number; increasing?: boolean; min?: number } = {}): number[] | undefined {
    const v = o[key];
    const p = `${path}.${key}`;
    if (v === undefined) {
      if (required) this.fail(p, 'is required');
      return undefined;
    }
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x) || (opts.int && !Number.isInteger(x)) || (opts.min !== undefined && x < opts.min))) {
      this.fail(p, `expected an array of ${opts.int ? 'integers' : 'numbers'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}, got ${show(v)}`);
      return undefined;
    }
    if (opts.length !== undefined && v.length !== opts.length) this.fail(p, `expected ${opts.length} numbers, got ${v.length}`);
    if (opts.increasing && v.some((x, i) => i > 0 && x <= v[i - 1])) this.fail(p, `must be strictly increasing, got ${show(v)}`);
    return v as number[];
  }
  unknownKeys(o: Obj, path: string, allowed: string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k) && k !== '$comment' && k !== '$schema') {
        this.fail(path ? `${path}.${k}` : k, `unknown field (allowed: ${allowed.join(', ')})`);
      }
    }
  }
}

/** Fields of each scheduler (kept equal to @residual/train's SchedulerSpec by src/recipes/recipe-schema.test.ts). */
export const SCHED_FIELDS: Record<SchedulerSpec['name'], string[]> = {
  MultiStepLR: ['milestones', 'gamma', 'interval'],
  StepLR: ['stepSize', 'gamma', 'interval'],
  ExponentialLR: ['gamma', 'interval'],
  CosineAnnealingLR: ['tMax', 'etaMin', 'interval'],
  LinearLR: ['startFactor', 'endFactor', 'totalIters', 'interval'],
  ReduceLROnPlateau: ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps', 'monitor'],
  ConstantLR: ['factor', 'totalIters', 'interval'],
};

/** Fields of a recipe's `evaluation` (kept equal to the schema's by src/recipes/recipe-schema.test.ts). */
export const EVALUATION_FIELDS = ['tenCrop', 'scales', 'cropSize', 'flip', 'average'];
/** Fields of the SGD optimizer spec (kept equal to @residual/train's by src/recipes/recipe-schema.test.ts). */
export const SGD_FIELDS = ['name', 'lr', 'momentum', 'weightDecay', 'nesterov', 'dampening', 'noDecayOnNormAndBias'];

function checkTransforms(c: Checker, list: unknown, path: string): void {
  if (!Array.isArray(list)) {
    c.fail(path, `expected an array of transforms, got ${show(list)}`);
    return;
  }
  list.forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(t)) return c.fail(p, `expected an object like {"name": "RandomCrop", ...}, got ${show(t)}`);
    const name = c.str(t, p, 'name', true, Object.keys(TRANSFORM_FIELDS));
    if (!name) return;
    const spec = TRANSFORM_FIELDS[name as keyof typeof TRANSFORM_FIELDS];
    c.unknownKeys(t, p, ['name', ...spec.required, ...spec.optional]);
    for (const k of spec.required) if (t[k] === undefined) c.fail(`${p}.${k}`, `is required by ${name}`);
    if (t.size !== undefined) c.num(t, p, 'size', false, { int: true, min: 1 });
    if (t.padding !== undefined) c.num(t, p, 'padding', false, { int: true, min: 0 });
    if (t.p !== undefined) c.num(t, p, 'p', false, { min: 0, max: 1 });
    if (name === 'RandomShortestSize') {
      const hasList = t.minSize !== undefined;
      const hasRange = t.minSizeRange !== undefined;
      if (hasList === hasRange) c.fail(`${p}.minSize`, 'give exactly one of minSize (a size or list of sizes) and minSizeRange ([lo, hi])');
      if (typeof t.minSize === 'number') c.num(t, p, 'minSize', false, { int: true, min: 1 });
      else if (hasList) c.numArray(t, p, 'minSize', false, { int: true, min: 1 });
      const range = c.numArray(t, p, 'minSizeRange', false, { int: true, min: 1, length: 2 });
      if (range && range[0]! > range[1]!) c.fail(`${p}.minSizeRange`, `must be [lo, hi] with lo ≤ hi, got ${show(range)}`);
      c.num(t, p, 'maxSize', false, { int: true, min: 1 });
      c.str(t, p, 'rounding', false, ['exact', 'torchvision']);
    }
    if (name === 'AutoAugment') c.str(t, p, 'policy', true, ['CIFAR10', 'IMAGENET', 'SVHN']);
    if (name === 'Normalize') {
      const m = c.numArray(t, p, 'mean', true);
      const s = c.numArray(t, p, 'std', true);
      if (m && s && m.length !== s.length) c.fail(`${p}.std`, `has ${s.length} values but mean has ${m.length}`);
      if (s && s.some((x) => x <= 0)) c.fail(`${p}.std`, 'values must be > 0');
    }
    if (name === 'RandomResizedCrop') {
      c.numArray(t, p, 'scale', false, { length: 2 });
      c.numArray(t, p, 'ratio', false, { length: 2 });
    }
    if (name === 'RandomCrop') c.str(t, p, 'paddingMode', false, ['constant', 'edge', 'reflect', 'symmetric']);
  });
}

/**
 * Checks that `value` (parsed JSON) is a {@link Recipe}; throws a {@link RecipeError} naming `file`
 * and every field that is wrong.
 *
 * @example
 * ```ts
 * import { validateRecipe } from '@residual/cli';
 * const recipe = validateRecipe(JSON.parse(text), 'my-recipe.json');
 * ```
 */
export function validateRecipe(value: unknown, file: string): Recipe {
  const c = new Checker();
  if (!isObj(value)) throw new RecipeError(file, [`expected a JSON object at the top level, got ${show(value)}`]);
  const r = value;
  c.unknownKeys(r, '', ['$schema', 'name', 'description', 'reference', 'seed', 'model', 'data', 'batchSize', 'optimizer', 'scheduler', 'warmup', 'stop', 'earlyStopping', 'evaluation', 'logEvery', 'variants']);
  c.str(r, '', 'name', true);
  c.str(r, '', 'description', true);
  c.str(r, '', 'reference', false);
  c.num(r, '', 'seed', false, { int: true, min: 0 });
  c.num(r, '', 'batchSize', true, { int: true, min: 1 });
  c.num(r, '', 'logEvery', false, { int: true, min: 1 });

  const model = c.obj(r, '', 'model', true);
  if (model) {
    c.unknownKeys(model, 'model', ['name', 'options']);
    c.str(model, 'model', 'name', true);
    c.obj(model, 'model', 'options', false);
  }

  const data = c.obj(r, '', 'data', true);
  if (data) {
    c.unknownKeys(data, 'data', ['dataset', 'root', 'validation', 'train', 'test', 'workers']);
    c.str(data, 'data', 'dataset', true, DATASETS);
    c.str(data, 'data', 'root', false);
    c.num(data, 'data', 'workers', false, { int: true, min: 0 });
    const v = data.validation;
    if (v !== undefined && v !== 'test' && v !== 'none') {
      if (!isObj(v)) c.fail('data.validation', `expected {"holdout": n}, "test" or "none", got ${show(v)}`);
      else {
        c.unknownKeys(v, 'data.validation', ['holdout', 'seed']);
        c.num(v, 'data.validation', 'holdout', true, { int: true, min: 1 });
        c.num(v, 'data.validation', 'seed', false, { int: true, min: 0 });
      }
    }
    checkTransforms(c, data.train, 'data.train');
    checkTransforms(c, data.test, 'data.test');
  }

  const opt = c.obj(r, '', 'optimizer', true);
  if (opt) {
    c.unknownKeys(opt, 'optimizer', SGD_FIELDS);
    c.str(opt, 'optimizer', 'name', true, ['sgd']);
    c.num(opt, 'optimizer', 'lr', true, { gt: 0 });
    c.num(opt, 'optimizer', 'momentum', false, { min: 0, max: 1 });
    c.num(opt, 'optimizer', 'weightDecay', false, { min: 0 });
    c.num(opt, 'optimizer', 'dampening', false, { min: 0, max: 1 });
    c.bool(opt, 'optimizer', 'nesterov');
    c.bool(opt, 'optimizer', 'noDecayOnNormAndBias');
  }

  const sched = c.obj(r, '', 'scheduler', false);
  if (sched) {
    const name = c.str(sched, 'scheduler', 'name', true, Object.keys(SCHED_FIELDS));
    if (name) {
      c.unknownKeys(sched, 'scheduler', ['name', ...SCHED_FIELDS[name as SchedulerSpec['name']]]);
      c.str(sched, 'scheduler', 'interval', false, ['epoch', 'iteration']);
      c.num(sched, 'scheduler', 'gamma', false, { gt: 0, max: 1 });
      if (name === 'MultiStepLR') c.numArray(sched, 'scheduler', 'milestones', true, { int: true, increasing: true, min: 1 });
      if (name === 'StepLR') c.num(sched, 'scheduler', 'stepSize', true, { int: true, min: 1 });
      if (name === 'ExponentialLR') c.num(sched, 'scheduler', 'gamma', true, { gt: 0, max: 1 });
      if (name === 'LinearLR') {
        c.num(sched, 'scheduler', 'startFactor', false, { gt: 0, max: 1 });
        c.num(sched, 'scheduler', 'endFactor', false, { min: 0, max: 1 });
        c.num(sched, 'scheduler', 'totalIters', false, { int: true, min: 1 });
      }
      if (name === 'CosineAnnealingLR') {
        c.num(sched, 'scheduler', 'tMax', true, { int: true, min: 1 });
        c.num(sched, 'scheduler', 'etaMin', false, { min: 0 });
      }
      if (name === 'ReduceLROnPlateau') {
        c.str(sched, 'scheduler', 'mode', false, ['min', 'max']);
        c.num(sched, 'scheduler', 'factor', false, { gt: 0, max: 0.999999 });
        c.num(sched, 'scheduler', 'patience', false, { int: true, min: 0 });
        c.num(sched, 'scheduler', 'cooldown', false, { int: true, min: 0 });
        c.str(sched, 'scheduler', 'thresholdMode', false, ['rel', 'abs']);
        c.num(sched, 'scheduler', 'eps', false, { min: 0 });
        c.str(sched, 'scheduler', 'monitor', false);
      }
    }
  }

  const warm = c.obj(r, '', 'warmup', false);
  if (warm) {
    c.unknownKeys(warm, 'warmup', ['steps', 'startFactor', 'mode']);
    c.num(warm, 'warmup', 'steps', true, { int: true, min: 1 });
    c.num(warm, 'warmup', 'startFactor', false, { gt: 0, max: 1 });
    c.str(warm, 'warmup', 'mode', false, ['sequential', 'chained']);
  }

  const stop = c.obj(r, '', 'stop', true);
  if (stop) {
    c.unknownKeys(stop, 'stop', ['epochs', 'iterations']);
    const e = c.num(stop, 'stop', 'epochs', false, { int: true, min: 1 });
    const it = c.num(stop, 'stop', 'iterations', false, { int: true, min: 1 });
    if (e === undefined && it === undefined && stop.epochs === undefined && stop.iterations === undefined) {
      c.fail('stop', 'needs "epochs" or "iterations"');
    }
  }

  const early = c.obj(r, '', 'earlyStopping', false);
  if (early) {
    c.unknownKeys(early, 'earlyStopping', ['monitor', 'mode', 'patience']);
    c.num(early, 'earlyStopping', 'patience', true, { int: true, min: 1 });
    c.str(early, 'earlyStopping', 'monitor', false);
    c.str(early, 'earlyStopping', 'mode', false, ['min', 'max']);
  }

  const ev = c.obj(r, '', 'evaluation', false);
  if (ev) {
    c.unknownKeys(ev, 'evaluation', EVALUATION_FIELDS);
    c.bool(ev, 'evaluation', 'tenCrop');
    c.bool(ev, 'evaluation', 'flip');
    c.numArray(ev, 'evaluation', 'scales', false, { int: true, min: 1 });
    c.num(ev, 'evaluation', 'cropSize', false, { int: true, min: 1 });
    c.str(ev, 'evaluation', 'average', false, ['softmax', 'logits']);
  }

  if (r.variants !== undefined) {
    if (!Array.isArray(r.variants) || r.variants.length === 0) c.fail('variants', `expected a non-empty array, got ${show(r.variants)}`);
    else {
      const ids = new Set<string>();
      r.variants.forEach((v: unknown, i: number) => {
        const p = `variants[${i}]`;
        if (!isObj(v)) return c.fail(p, `expected {"id": ..., "set": {...}}, got ${show(v)}`);
        c.unknownKeys(v, p, ['id', 'set']);
        const id = c.str(v, p, 'id', true);
        if (id && ids.has(id)) c.fail(`${p}.id`, `duplicate id '${id}'`);
        if (id) ids.add(id);
        c.obj(v, p, 'set', true);
      });
    }
  }

  if (c.problems.length) throw new RecipeError(file, c.problems);
  // Each variant must itself be a valid recipe.
  if (Array.isArray(r.variants)) {
    for (const run of expandRecipe(r as unknown as Recipe)) {
      const { runName, ...rest } = run;
      try {
        validateRecipe({ ...rest, name: rest.name }, file);
      } catch (e) {
        if (e instanceof RecipeError) throw new RecipeError(`${file} (variant ${runName})`, e.problems);
        throw e;
      }
    }
  }
  return r as unknown as Recipe;
}

function setPath(target: Obj, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(o[k])) o[k] = {};
    o = o[k] as Obj;
  }
  o[keys[keys.length - 1]!] = value;
}

/**
 * The runs a recipe stands for: itself, or one run per variant with the variant's fields set.
 *
 * @example
 * ```ts
 * import { expandRecipe } from '@residual/cli';
 * expandRecipe(recipe).map((r) => r.runName); // ['cifar10-resnet-vs-plain/plain20', ...]
 * ```
 */
export function expandRecipe(recipe: Recipe): RunSpec[] {
  const { variants, ...base } = recipe;
  if (!variants) return [{ ...structuredClone(base), runName: recipe.name }];
  return variants.map((v) => {
    const run = structuredClone(base) as unknown as Obj;
    for (const [path, value] of Object.entries(v.set)) setPath(run, path, structuredClone(value));
    return { ...(run as unknown as Omit<Recipe, 'variants'>), runName: `${recipe.name}/${v.id}` };
  });
}
