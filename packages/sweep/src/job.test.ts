import { checkJobData, FatalRunError } from './job';

const good = { v: 1, sweep: 'r-0123456789ab', recipe: { name: 'r' }, variant: 'a', seed: 2, overrides: { iterations: 10 } };

describe('checkJobData', () => {
  it('passes a well-formed job through', () => {
    expect(checkJobData(good, 'j')).toEqual(good);
    expect(checkJobData({ ...good, variant: null, overrides: {} }, 'j').variant).toBeNull();
  });

  it.each([
    ['not an object', 'a string', /data is not an object/],
    ['an array', [good], /data is not an object/],
    ['null', null, /data is not an object/],
    ['another version', { ...good, v: 2 }, /format version 2 is not 1/],
    ['an unknown field (code, a path)', { ...good, script: 'rm -rf /' }, /unknown fields script/],
    ['a store path as the sweep', { ...good, sweep: '../../etc' }, /sweep id/],
    ['a path as the variant', { ...good, variant: '../x' }, /variant id/],
    ['a number as the variant', { ...good, variant: 3 }, /variant must be a string or null/],
    ['a negative seed', { ...good, seed: -1 }, /seed must be a non-negative integer/],
    ['a fractional seed', { ...good, seed: 0.5 }, /seed must be/],
    ['a string seed', { ...good, seed: '1' }, /seed must be/],
    ['a recipe that is a string', { ...good, recipe: 'cifar10' }, /recipe must be a JSON object/],
    ['a recipe that is an array', { ...good, recipe: [] }, /recipe must be a JSON object/],
    ['an unknown override', { ...good, overrides: { dataDir: '/etc' } }, /unknown override dataDir/],
    ['a NaN override', { ...good, overrides: { iterations: NaN } }, /override iterations must be a positive integer/],
    ['a huge override', { ...good, overrides: { iterations: 1e300 } }, /override iterations must be a positive integer/],
    ['a zero override', { ...good, overrides: { batchSize: 0 } }, /override batchSize must be a positive integer/],
  ])('refuses %s, naming the job', (_, data, why) => {
    let err: unknown;
    try {
      checkJobData(data, 'job-7');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FatalRunError);
    expect((err as Error).message).toMatch(/^job job-7: /);
    expect((err as Error).message).toMatch(why);
  });
});
