import { canonicalJson, checkSegment, runJobId, sweepHash, sweepId } from './ids';

describe('sweep and job ids', () => {
  it('the hash ignores key order and whitespace but not values', () => {
    const a = { recipe: { name: 'r', optimizer: { lr: 0.1, momentum: 0.9 } }, overrides: { iterations: 10 } };
    const b = JSON.parse('{ "overrides": {"iterations":10}, "recipe": {"optimizer": {"momentum": 0.9, "lr": 0.1}, "name": "r"} }');
    expect(sweepHash(a)).toBe(sweepHash(b));
    expect(sweepHash(a)).toMatch(/^[0-9a-f]{12}$/);
    expect(sweepHash({ ...a, overrides: { iterations: 11 } })).not.toBe(sweepHash(a));
    expect(sweepHash({ recipe: { ...a.recipe, optimizer: { lr: 0.1, momentum: 0.8 } }, overrides: a.overrides })).not.toBe(sweepHash(a));
    // Arrays keep their order: milestones [1, 2] and [2, 1] are different schedules.
    expect(canonicalJson({ m: [1, 2] })).not.toBe(canonicalJson({ m: [2, 1] }));
  });

  it('job ids name the sweep, variant and seed', () => {
    const s = sweepId('cifar10-resnet-vs-plain', 'abcdef012345');
    expect(runJobId(s, 'resnet20-A', 3)).toBe('cifar10-resnet-vs-plain-abcdef012345.resnet20-A.seed-3');
    expect(runJobId(s, null, 0)).toBe('cifar10-resnet-vs-plain-abcdef012345.main.seed-0');
  });

  it.each(['', '..', '.', 'a/b', 'a\\b', 'a:b', '../etc', ' a', 'a b', '-a', 'x'.repeat(101), 'a\u0000b', 'é'])('rejects the segment %j', (s) => {
    expect(() => checkSegment(s, 'variant id')).toThrow(/variant id .* must be 1-100 letters/);
  });

  it('rejects bad seeds', () => {
    for (const seed of [-1, 1.5, NaN, Infinity, 2 ** 60]) expect(() => runJobId('s-0', 'v', seed)).toThrow(/seed must be a non-negative integer/);
  });
});
