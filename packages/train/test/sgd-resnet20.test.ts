// Three SGD steps of ResNet-20 (train mode) against PyTorch 1.13 computed in float64: losses, updated
// weights and BatchNorm running statistics, to 1e-4 of each tensor's scale. Oracle and its conditioning
// check: tools/train/gen_sgd_resnet20.py (formula weights and batches, no files).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import '@residual/backend-webgpu';
import { tf, toHost, useBackend } from '@residual/tensor';
import { createModel } from '@residual/zoo';
import { loadFormulaWeights } from '../../zoo/src/testing/formula';
import { fit, sgd } from '../src';
import { decodeSafetensors } from '@residual/nn';
import { formulaBatch, type SgdFixture } from './sgd-resnet20-data';

const ROOT = resolve(__dirname, '../../..');
const TOL = 1e-4;
const load = (name: string): SgdFixture => JSON.parse(readFileSync(join(__dirname, '../fixtures', name), 'utf8')) as SgdFixture;

interface Result {
  losses: number[];
  values: Record<string, ArrayLike<number>>;
}

/**
 * max |a − b| / max |b|: error relative to the tensor's scale (an update p − lr·d that nearly cancels
 * leaves elements near zero whose own relative error says nothing about the arithmetic).
 */
function relErr(a: ArrayLike<number>, b: number[]): number {
  let scale = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m / scale;
}

async function valuesOf(sd: Record<string, tf.Tensor>): Promise<Record<string, ArrayLike<number>>> {
  await toHost(sd); // webgpu in Node reads only asynchronously
  const out = Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, t.dataSync() as ArrayLike<number>]));
  tf.dispose(Object.values(sd));
  return out;
}

type Backend = 'cpu' | 'wasm' | 'webgpu';

/** Three steps in this process (jest): fine for wasm and webgpu, whose kernels are not slowed down by jest's sandbox. */
async function trainHere(backend: Backend, fx: SgdFixture): Promise<Result> {
  await useBackend(backend);
  const model = createModel('resnet20', { numClasses: 10 });
  loadFormulaWeights(model);
  const losses: number[] = [];
  await fit({
    model, train: Array.from({ length: fx.steps }, (_, t) => formulaBatch(fx, t)), iterations: fx.steps, progress: false,
    optimizer: sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 }),
    callbacks: { onBatchEnd: (i) => void losses.push(i.loss) },
  });
  const values = await valuesOf(model.stateDict());
  model.dispose();
  return { losses, values };
}

// tfjs's cpu kernels are plain JS, 20-70x slower inside jest's vm sandbox than in node, so the 32x32 cpu
// case trains in a child node process (test/sgd-resnet20-child.ts bundled from src), started as soon as
// the file loads so it overlaps the in-process cases.
let work: string;
let cpuChild: Promise<{ losses: number[]; stateDict: Uint8Array }> | undefined;
function startChild(backend: 'cpu' | 'wasm', fixture: string): Promise<{ losses: number[]; stateDict: Uint8Array }> {
  work ??= mkdtempSync(join(tmpdir(), 'residual-sgd-'));
  const child = join(work, 'child.cjs');
  // Sources of every package but @residual/tensor, whose build bundles tfjs-core's ESM-only gradient
  // registrations (plain node cannot load those files; jest transpiles them, node does not).
  const alias = Object.fromEntries(
    readdirSync(join(ROOT, 'packages')).map((p) => [`@residual/${p}`, p === 'tensor' ? join(ROOT, 'packages', p, 'dist', 'index.js') : join(ROOT, 'packages', p, 'src', 'index.ts')]),
  );
  buildSync({
    entryPoints: [join(__dirname, 'sgd-resnet20-child.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    // ignoreAnnotations: keep the zoo's and backend-wasm's registration side effects despite "sideEffects": false.
    outfile: child, alias, external: ['@tensorflow/*', 'sharp', 'piscina'], logLevel: 'error', ignoreAnnotations: true,
  });
  const out = join(work, backend);
  const p = spawn(process.execPath, [child, backend, join(__dirname, '../fixtures', fixture), out], {
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  return new Promise((res, rej) => {
    p.on('error', rej);
    p.on('exit', (code) => {
      if (code !== 0) return rej(new Error(`sgd-resnet20 child (${backend}) failed (${code}): ${stderr}`));
      const { losses } = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as { losses: number[] };
      res({ losses, stateDict: new Uint8Array(readFileSync(`${out}.safetensors`)) });
    });
  });
}
afterAll(() => work && rmSync(work, { recursive: true, force: true }));

// [backend, fixture, where]. 32x32 is the CIFAR shape; 8x8 is a cheap second configuration.
// The child's case comes last so that the others run while it trains.
const CASES: Array<[backend: Backend, fixture: string, where: 'here' | 'child']> = [
  ['wasm', 'sgd_resnet20.json', 'here'],
  ['wasm', 'sgd_resnet20_b2.json', 'here'],
  ['cpu', 'sgd_resnet20_small.json', 'here'],
  ['wasm', 'sgd_resnet20_small.json', 'here'],
  // webgpu: SwiftShader in CI (jest.preset.cjs), the machine's GPU with RESIDUAL_WEBGPU_HARDWARE=1.
  ['webgpu', 'sgd_resnet20_b2.json', 'here'],
  ['webgpu', 'sgd_resnet20.json', 'here'],
  ['cpu', 'sgd_resnet20_b2.json', 'child'],
];
beforeAll(() => {
  cpuChild = startChild('cpu', 'sgd_resnet20_b2.json');
  cpuChild.catch(() => undefined); // reported by the case that awaits it
});

for (const [backend, file, where] of CASES) {
  const fx = load(file);
  describe(`resnet20, 3 SGD steps (lr 0.1, momentum 0.9, wd 1e-4), batch ${fx.batch}x${fx.size}x${fx.size}, equal PyTorch on ${backend}`, () => {
    let got: Result;
    let initial: Record<string, ArrayLike<number>>;

    beforeAll(async () => {
      if (where === 'child') {
        const { losses, stateDict } = await cpuChild!;
        got = { losses, values: await valuesOf(decodeSafetensors(stateDict)) };
      } else got = await trainHere(backend, fx);
      const model = createModel('resnet20', { numClasses: 10 });
      loadFormulaWeights(model);
      initial = await valuesOf(model.stateDict());
      model.dispose();
    }, 300000);

    it('the oracle is well-conditioned (ReLU margins checked by the generator)', () => {
      // Written by the generator only when float32 PyTorch and float64 runs perturbed by float32-sized
      // noise all land within 2e-5 of the oracle, so 1e-4 is not at the mercy of a ReLU kink.
      expect(fx.conditioning.reluMargin).toBeGreaterThan(3e-7);
      expect(fx.conditioning.perturbedVsFloat64).toBeLessThan(2e-5);
    });

    it('losses', () => {
      expect(got.losses).toHaveLength(3);
      got.losses.forEach((l, i) => expect(Math.abs(l - fx.losses[i]) / Math.abs(fx.losses[i])).toBeLessThan(TOL));
    });

    it('every value of conv, BatchNorm (weights and running stats) and fc tensors', () => {
      for (const [key, expected] of Object.entries(fx.full)) {
        const err = relErr(got.values[key], expected);
        if (!(err < TOL)) throw new Error(`${key}: relative error ${err}`);
        // The comparison is meaningful: training moved the tensor by far more than the tolerance.
        expect(relErr(initial[key], expected)).toBeGreaterThan(1e-3);
      }
    });

    it('digest of every state-dict tensor (sum, sum of squares, every 61st value)', () => {
      expect(Object.keys(got.values).sort()).toEqual(Object.keys(fx.digest).sort());
      for (const [key, d] of Object.entries(fx.digest)) {
        const v = got.values[key];
        if (key.endsWith('num_batches_tracked')) {
          expect(v[0]).toBe(3);
          continue;
        }
        let sum = 0;
        let sumsq = 0;
        for (let i = 0; i < v.length; i++) {
          sum += v[i];
          sumsq += v[i] * v[i];
        }
        const strided = Array.from({ length: d.strided.length }, (_, j) => v[j * fx.stride]);
        const err = Math.max(relErr(strided, d.strided), Math.abs(sumsq - d.sumsq) / d.sumsq);
        if (!(err < TOL)) throw new Error(`${key}: relative error ${err}`);
        expect(Math.abs(sum - d.sum)).toBeLessThan(TOL * Math.sqrt(d.sumsq * v.length) + 1e-6);
      }
    });
  });
}
