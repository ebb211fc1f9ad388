import { mkdtempSync, readdirSync, realpathSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closure, installIntoEmptyProject, pack, runIn } from './pack';

// Acceptance of the foundation issue: tensor + backend-wasm + nn install from tarballs alone
// and run a forward pass, in ESM and in CJS.
describe('packed @residual/tensor + backend-wasm + nn', () => {
  let project: string;

  beforeAll(() => {
    const dest = mkdtempSync(join(tmpdir(), 'residual-tgz-'));
    const names = [...new Set([...closure('nn'), ...closure('backend-wasm')])];
    expect(names.sort()).toEqual(['backend-wasm', 'nn', 'pickle', 'random', 'tensor']);
    project = installIntoEmptyProject(names.map((n) => pack(n, dest)));
  });

  it('installs real copies (no links into the workspace) and one tfjs-core', () => {
    const scope = join(project, 'node_modules', '@residual');
    for (const name of readdirSync(scope)) {
      expect(lstatSync(join(scope, name)).isSymbolicLink()).toBe(false);
      expect(realpathSync(join(scope, name)).startsWith(project)).toBe(true);
    }
    const out = runIn(
      project,
      'cores.cjs',
      `const { execSync } = require('node:child_process');
       process.stdout.write(execSync('npm ls @tensorflow/tfjs-core --all --parseable', { encoding: 'utf8' }));`,
    );
    const copies = new Set(out.trim().split('\n').filter((l) => l.endsWith('tfjs-core')));
    expect(copies.size).toBe(1);
  });

  it('runs a conv net forward pass on wasm (ESM)', () => {
    const out = runIn(
      project,
      'smoke.mjs',
      `import { tf, useBackend, backendInfo, seed } from '@residual/tensor';
       import '@residual/backend-wasm';
       import { Sequential, Conv2d, BatchNorm2d, ReLU, AdaptiveAvgPool2d, Flatten, Linear } from '@residual/nn';
       seed(0);
       await useBackend('wasm');
       const net = new Sequential(new Conv2d(3, 8, 3, { padding: 1, bias: false }), new BatchNorm2d(8), new ReLU(),
         new AdaptiveAvgPool2d(1), new Flatten(), new Linear(8, 10));
       net.eval();
       const y = net.forward(tf.ones([2, 16, 16, 3]));
       console.log(JSON.stringify({ backend: backendInfo().name, shape: y.shape, finite: y.isFinite().all().dataSync()[0] }));`,
    );
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ backend: 'wasm', shape: [2, 10], finite: 1 });
  });

  it('loads through require (CJS) too', () => {
    const out = runIn(
      project,
      'smoke.cjs',
      `const { tf, useBackend } = require('@residual/tensor');
       require('@residual/backend-wasm');
       const { Conv2d } = require('@residual/nn');
       useBackend('wasm').then(() => {
         const y = new Conv2d(1, 4, 3).forward(tf.ones([1, 8, 8, 1]));
         console.log(JSON.stringify(y.shape));
       });`,
    );
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual([1, 6, 6, 4]);
  });
});
