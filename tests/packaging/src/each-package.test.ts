import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closure, installIntoEmptyProject, pack, runIn } from './pack';

/**
 * Release acceptance: every published package packs, installs alone into an empty project (with only
 * the tarballs of the @residual packages it depends on — they are not on a registry yet) and passes a
 * smoke test there. Each smoke prints one JSON line that the test compares.
 */
interface Smoke {
  file: string;
  /** Registry packages installed beside the tarballs (optional peers). */
  extra?: string[];
  source: string;
  expected: unknown;
}

const SMOKES: Record<string, Smoke> = {
  random: {
    file: 'smoke.mjs',
    source: `import { Rng } from '@residual/random';
      const a = new Rng(5), b = new Rng(5);
      console.log(JSON.stringify({ same: a.uniform() === b.uniform(), perm: Array.from(new Rng(1).permutation(3)).sort() }));`,
    expected: { same: true, perm: [0, 1, 2] },
  },
  pickle: {
    file: 'smoke.cjs',
    // {'a': [1, 'x']}, then a pickle that names posix.system: data comes back, the global is refused.
    source: `const { readPickle } = require('@residual/pickle');
      const v = readPickle(Uint8Array.from([0x80, 2, 0x7d, 0x8c, 1, 97, 0x5d, 0x28, 0x4b, 1, 0x8c, 1, 120, 0x65, 0x73, 0x2e]), 'ok.pkl');
      let refused = '';
      try { readPickle(Uint8Array.from([0x80, 2, 0x63, ...Buffer.from('posix\\nsystem\\n'), 0x2e]), 'evil.pkl'); } catch (e) { refused = e.message; }
      console.log(JSON.stringify({ a: v.get('a'), refused }));`,
    expected: { a: [1, 'x'], refused: 'evil.pkl: pickle: refusing global posix.system at byte 16' },
  },
  tensor: {
    file: 'smoke.mjs',
    source: `import { tf, useBackend, backendInfo } from '@residual/tensor';
      await useBackend('cpu');
      const g = tf.grad((x) => x.square().sum())(tf.tensor1d([1, 2]));
      console.log(JSON.stringify({ backend: backendInfo().name, grad: Array.from(g.dataSync()) }));`,
    expected: { backend: 'cpu', grad: [2, 4] },
  },
  'backend-wasm': {
    file: 'smoke.cjs',
    source: `const { tf, useBackend } = require('@residual/tensor');
      require('@residual/backend-wasm');
      useBackend('wasm').then(() => {
        const dw = tf.grad((w) => tf.conv2d(tf.ones([1, 4, 4, 1]), w, 1, 'same').sum())(tf.ones([3, 3, 1, 1]));
        console.log(JSON.stringify({ backend: tf.getBackend(), centre: dw.dataSync()[4] }));
      });`,
    expected: { backend: 'wasm', centre: 16 },
  },
  // The optional peer `webgpu` (Dawn) comes from npm; SwiftShader stands in for a GPU (jest.preset.cjs).
  'backend-webgpu': {
    file: 'smoke.cjs',
    extra: ['webgpu@0.6.2'],
    source: `const { tf, useBackend, backendInfo } = require('@residual/tensor');
      require('@residual/backend-webgpu');
      useBackend('webgpu').then(async () => {
        const dw = tf.grad((w) => tf.conv2d(tf.ones([1, 4, 4, 1]), w, 1, 'same').sum())(tf.ones([3, 3, 1, 1]));
        const v = await dw.data();
        console.log(JSON.stringify({ backend: tf.getBackend(), centre: v[4], adapter: typeof backendInfo().adapter?.isFallback }));
      });`,
    expected: { backend: 'webgpu', centre: 16, adapter: 'boolean' },
  },
  'backend-node': {
    file: 'smoke.mjs',
    source: `import { detectNodeBackends } from '@residual/backend-node';
      import { useBackend } from '@residual/tensor';
      const err = await useBackend('node').catch((e) => e);
      console.log(JSON.stringify({ found: detectNodeBackends(), explains: /tfjs-node/.test(err.message) }));`,
    expected: { found: { node: false, nodeGpu: false }, explains: true },
  },
  nn: {
    file: 'smoke.mjs',
    source: `import { tf, useBackend } from '@residual/tensor';
      import { Conv2d, BatchNorm2d, Sequential, BasicBlock } from '@residual/nn';
      await useBackend('cpu');
      const net = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2));
      // Class names survive the build: they are what print(model) and error messages show.
      const repr = String(new BasicBlock(4, 4)).split(String.fromCharCode(10))[0];
      console.log(JSON.stringify({ shape: net.forward(tf.ones([1, 5, 5, 1])).shape, keys: Object.keys(net.stateDict()), repr }));`,
    expected: {
      repr: 'BasicBlock(',
      shape: [1, 3, 3, 2],
      keys: ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked'],
    },
  },
  zoo: {
    file: 'smoke.mjs',
    source: `import { tf, useBackend } from '@residual/tensor';
      import { createModel, listModels } from '@residual/zoo';
      await useBackend('cpu');
      const m = createModel('resnet20');
      m.eval();
      console.log(JSON.stringify({ params: m.numParameters(), shape: m.forward(tf.zeros([1, 32, 32, 3])).shape, has50: listModels().includes('resnet50') }));`,
    expected: { params: 269722, shape: [1, 10], has50: true },
  },
  transforms: {
    file: 'smoke.mjs',
    source: `import { createImage, hflip, centerCrop, RandomCrop } from '@residual/transforms';
      import { Rng } from '@residual/random';
      const img = createImage(8, 6, 3, 7);
      const out = new RandomCrop(4, { padding: 1 }).apply(centerCrop(hflip(img), [6, 6]), new Rng(0));
      console.log(JSON.stringify({ h: out.height, w: out.width, c: out.channels }));`,
    expected: { h: 4, w: 4, c: 3 },
  },
  datasets: {
    file: 'smoke.mjs',
    source: `import { useBackend } from '@residual/tensor';
      import { ArrayDataset, DataLoader } from '@residual/datasets';
      await useBackend('cpu');
      const ds = new ArrayDataset(new Uint8Array(4 * 2 * 2), [0, 1, 2, 3], { height: 2, width: 2, channels: 1 });
      const shapes = [];
      for await (const { x, y } of new DataLoader(ds, { batchSize: 2, shuffle: true, seed: 1 })) { shapes.push([x.shape, y.shape]); x.dispose(); y.dispose(); }
      console.log(JSON.stringify(shapes));`,
    expected: [
      [
        [2, 2, 2, 1],
        [2],
      ],
      [
        [2, 2, 2, 1],
        [2],
      ],
    ],
  },
  train: {
    file: 'smoke.mjs',
    source: `import { tf, useBackend } from '@residual/tensor';
      import { sgd, multiStepLR } from '@residual/train';
      await useBackend('cpu');
      const w = tf.variable(tf.tensor1d([1, 1]));
      const opt = sgd({ lr: 0.1, momentum: 0.9, params: [['w', w]] });
      const sched = multiStepLR(opt, { milestones: [1], gamma: 0.1 });
      opt.step({ w: tf.tensor1d([1, 2]) });
      sched.step();
      console.log(JSON.stringify({ w: Array.from(w.dataSync()).map((v) => +v.toFixed(6)), lr: sched.getLastLr()[0] }));`,
    expected: { w: [0.9, 0.8], lr: 0.010000000000000002 },
  },
  // Job ids and connection options need no Redis; BullMQ and ioredis come from the registry.
  sweep: {
    file: 'smoke.mjs',
    source: `import { runJobId, sweepHash, redisOptions } from '@residual/sweep';
      let refused = false;
      try { runJobId('r-0', '../x', 0); } catch (e) { refused = e.message.includes('variant id'); }
      console.log(JSON.stringify({ id: runJobId('r-' + sweepHash({ a: 1 }), 'v', 2), tls: !!redisOptions({ url: 'rediss://h:1' }).tls, refused }));`,
    expected: { id: 'r-015abd7f5cc5.v.seed-2', tls: true, refused: true },
  },
  cli: {
    file: 'smoke.cjs',
    source: `const { execFileSync } = require('node:child_process');
      const out = execFileSync('npx', ['--no-install', 'residual', 'models', '--json'], { encoding: 'utf8' });
      const names = JSON.parse(out).map((m) => m.name);
      // The recipes ship inside the CLI (the recipes package is not published).
      const recipes = execFileSync('npx', ['--no-install', 'residual', 'recipes'], { encoding: 'utf8' });
      const show = execFileSync('npx', ['--no-install', 'residual', 'recipes', 'show', 'fashion-mnist-quick'], { encoding: 'utf8' });
      console.log(JSON.stringify({ resnet20: names.includes('resnet20'), resnet152: names.includes('resnet152'),
        paper: recipes.includes('cifar10-resnet20-paper'), quick: show.includes('fashion-mnist-quick') }));`,
    expected: { resnet20: true, resnet152: true, paper: true, quick: true },
  },
};

const dest = mkdtempSync(join(tmpdir(), 'residual-tgz-'));
const tarballs = new Map<string, string>();
const tarball = (name: string): string => {
  if (!tarballs.has(name)) tarballs.set(name, pack(name, dest));
  return tarballs.get(name)!;
};

describe.each(Object.keys(SMOKES))('@residual/%s packed and installed alone', (name) => {
  it('passes its smoke test in an empty project', () => {
    const project = installIntoEmptyProject([...closure(name).map(tarball), ...(SMOKES[name].extra ?? [])]);
    const smoke = SMOKES[name];
    const out = runIn(project, smoke.file, smoke.source);
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual(smoke.expected);
  });
});

describe('changesets release flow (dry run)', () => {
  it('versions every pending changeset and every package would publish', () => {
    const REPO = join(__dirname, '../../..');
    const planFile = join(dest, 'release-plan.json');
    execFileSync(process.execPath, [require.resolve('@changesets/cli/bin.js'), 'status', `--output=${planFile}`], {
      cwd: REPO,
      stdio: 'ignore',
    });
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { releases: Array<{ name: string; newVersion: string }> };
    expect(plan.releases.length).toBeGreaterThan(0);
    for (const release of plan.releases) expect(release.newVersion).toMatch(/^\d+\.\d+\.\d+$/);

    // `changeset version` on a throw-away clone: versions bumped, changelogs written, changesets consumed.
    const clone = join(dest, 'clone');
    execFileSync('git', ['clone', '--quiet', REPO, clone]);
    execFileSync(process.execPath, [require.resolve('@changesets/cli/bin.js'), 'version'], { cwd: clone, stdio: 'ignore' });
    const published = plan.releases.filter((r) => r.name.replace('@residual/', '') in SMOKES);
    expect(published.length).toBeGreaterThan(0);
    for (const release of published) {
      const dir = join(clone, 'packages', release.name.replace('@residual/', ''));
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version).toBe(release.newVersion);
      expect(readFileSync(join(dir, 'CHANGELOG.md'), 'utf8')).toContain(`## ${release.newVersion}`);
    }
    for (const name of Object.keys(SMOKES)) {
      const out = execFileSync('npm', ['publish', '--dry-run', '--json', '--ignore-scripts', '--tag', 'dry-run'], {
        cwd: join(REPO, 'packages', name),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const info = JSON.parse(out.slice(out.indexOf('{')));
      const entry = info[`@residual/${name}`] ?? info;
      expect(entry.name).toBe(`@residual/${name}`);
    }
  });
});
