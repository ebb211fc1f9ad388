import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateRecipe, expandRecipe, RecipeError } from '../src';
import { listRecipes, loadRecipe } from '../src';

const DIR = join(__dirname, '..', '..', '..', 'examples', 'recipes', 'recipes');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('recipe files', () => {
  it('are all found by name', () => {
    expect(listRecipes().map((r) => r.name).sort()).toEqual(expect.arrayContaining(FILES.map((f) => f.slice(0, -5))));
    expect(FILES.length).toBeGreaterThanOrEqual(7);
  });

  test.each(FILES)('%s validates and is named after its file', (f) => {
    const recipe = validateRecipe(JSON.parse(readFileSync(join(DIR, f), 'utf8')), f);
    expect(recipe.name).toBe(f.slice(0, -5));
  });

  it('encode the paper CIFAR-10 schedule', () => {
    const { recipe } = loadRecipe('cifar10-resnet20-paper');
    expect(recipe.scheduler).toEqual({ name: 'MultiStepLR', milestones: [32000, 48000], gamma: 0.1, interval: 'iteration' });
    expect(recipe.stop).toEqual({ iterations: 64000 });
    expect(recipe.data.validation).toEqual({ holdout: 5000, seed: 0 });
    expect(recipe.optimizer).toMatchObject({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
  });

  it('expand resnet-vs-plain into 12 runs: plain, option A and option B at depths 20-56', () => {
    const runs = expandRecipe(loadRecipe('cifar10-resnet-vs-plain').recipe);
    expect(runs.map((r) => r.runName)).toHaveLength(12);
    const names = runs.map((r) => `${r.model.name}:${String(r.model.options?.shortcut ?? '-')}`);
    for (const d of [20, 32, 44, 56]) {
      expect(names).toEqual(expect.arrayContaining([`plain${d}:-`, `resnet${d}:A`, `resnet${d}:B`]));
    }
  });
});

describe('validateRecipe errors name the file and the field', () => {
  const base = () => JSON.parse(readFileSync(join(DIR, 'cifar10-resnet20-paper.json'), 'utf8'));

  it('lists every wrong field', () => {
    const r = base();
    r.optimizer.lr = -1;
    r.batchSize = 12.5;
    r.data.train[0].padding = 'four';
    r.scheduler.milestones = [48000, 32000];
    r.data.dataset = 'cifar11';
    r.stop = {};
    r.extra = 1;
    let err: RecipeError | undefined;
    try {
      validateRecipe(r, 'bad.json');
    } catch (e) {
      err = e as RecipeError;
    }
    expect(err).toBeInstanceOf(RecipeError);
    const msg = err!.message;
    expect(msg).toMatch(/^bad\.json: invalid recipe/);
    expect(msg).toMatch(/field 'optimizer\.lr': expected a number > 0, got -1/);
    expect(msg).toMatch(/field 'batchSize': expected an integer ≥ 1, got 12\.5/);
    expect(msg).toMatch(/field 'data\.train\[0\]\.padding': expected an integer ≥ 0, got "four"/);
    expect(msg).toMatch(/field 'scheduler\.milestones': must be strictly increasing/);
    expect(msg).toMatch(/field 'data\.dataset': expected one of cifar10, .* got "cifar11"/);
    expect(msg).toMatch(/field 'stop': needs "epochs" or "iterations"/);
    expect(msg).toMatch(/field 'extra': unknown field/);
  });

  it('shows an overflowing number as Infinity, not null (JSON "lr": 1e999)', () => {
    const r = JSON.parse(JSON.stringify(base()).replace(/"lr":\s*[0-9.e-]+/, '"lr": 1e999'));
    expect(r.optimizer.lr).toBe(Infinity);
    expect(() => validateRecipe(r, 'x.json')).toThrow(/optimizer\.lr': expected a number > 0, got Infinity/);
  });

  it('checks transforms by name and variants as full recipes', () => {
    const r = base();
    r.data.train.push({ name: 'RandomCrap', size: 3 });
    expect(() => validateRecipe(r, 'x.json')).toThrow(/data\.train\[4\]\.name': expected one of RandomCrop/);
    const v = base();
    v.variants = [{ id: 'a', set: { 'optimizer.lr': 'high' } }];
    expect(() => validateRecipe(v, 'v.json')).toThrow(/v\.json \(variant cifar10-resnet20-paper\/a\).*optimizer\.lr/s);
  });

  it('refuses an unknown recipe name with close names', () => {
    expect(() => loadRecipe('cifar10-resnet20-papr')).toThrow(/unknown recipe 'cifar10-resnet20-papr'; did you mean cifar10-resnet20-paper/);
    expect(() => loadRecipe('./nope/missing.json')).toThrow(/recipe file not found: .*missing\.json/);
  });
});
