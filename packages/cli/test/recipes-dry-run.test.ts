import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRecipes, loadRecipe } from '../src';
import { expandRecipe } from '../src';
import { runCli } from './run-cli';

// Each recipe is built for real by the built CLI's --dry-run: zoo model, data pipeline (random
// stand-in data where the dataset is not on this machine), SGD and its schedule; one small batch goes
// through the model.
describe.each(listRecipes().map((r) => r.name))('dry run of %s', (name) => {
  it('builds model, data pipeline, optimizer and schedule', () => {
    const run = expandRecipe(loadRecipe(name).recipe)[0]!;
    const variant = run.runName.split('/')[1];
    const r = runCli(['train', '--recipe', name, '--dry-run', '--batch-size', '2', '--limit-train', '8', '--limit-test', '4', ...(variant ? ['--variant', variant] : [])]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`model: ${run.model.name} .*: [\\d,]+ parameters`));
    expect(r.stdout).toContain(`optimizer: SGD lr ${run.optimizer.lr}, momentum ${run.optimizer.momentum ?? 0}, weight decay ${run.optimizer.weightDecay ?? 0}`);
    if (run.scheduler) expect(r.stdout).toContain(`schedule: ${JSON.stringify(run.scheduler)}`);
    const crop = run.data.train.find((t) => t.name === 'RandomCrop') as { size: number } | undefined;
    const m = /one batch: x \[(\d+), (\d+), (\d+), (\d+)\], y \[(\d+)\] → logits \[(\d+), (\d+)\]; lr ([\d.e-]+)/.exec(r.stdout);
    expect(m).not.toBeNull();
    const [, n, h, w, , ny, nl, classes, lr] = m!.map(Number);
    expect([ny, nl]).toEqual([n, n]);
    if (crop) expect([h, w]).toEqual([crop.size, crop.size]);
    expect(classes).toBe((run.model.options?.numClasses as number | undefined) ?? (name.startsWith('imagenet') ? 1000 : 10));
    // The first step's rate: the recipe's, or its warmup's start (withWarmup's default factor 0.1).
    expect(lr).toBeCloseTo(run.optimizer.lr * (run.warmup ? (run.warmup.startFactor ?? 0.1) : 1), 10);
  });
});

describe('residual train (built binary)', () => {
  it('--dry-run expands a multi-run recipe', () => {
    const r = runCli(['train', '--recipe', 'cifar10-resnet-vs-plain', '--dry-run', '--variant', 'plain20', '--variant', 'resnet20-B', '--limit-train', '8', '--limit-test', '4', '--batch-size', '2']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cifar10-resnet-vs-plain\/plain20[\s\S]*model: plain20/);
    expect(r.stdout).toMatch(/cifar10-resnet-vs-plain\/resnet20-B[\s\S]*"shortcut":"B"/);
    expect(r.stdout).toMatch(/one batch: x \[2, 32, 32, 3\]/);
  });

  const fashion = '/usr/share/datasets/fashion-mnist';
  (existsSync(fashion) || process.env.RESIDUAL_DATA ? it : it.skip)(
    'trains fashion-mnist-resnet20 for one epoch on real data and writes history, checkpoint, curves and report',
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'residual-train-'));
      try {
        const r = runCli(['train', '--recipe', 'fashion-mnist-resnet20', '--epochs', '1', '--limit-train', '320', '--limit-test', '160', '--batch-size', '64', '--out', out]);
        expect(r.stderr).not.toMatch(/error/i);
        expect(r.code).toBe(0);
        for (const f of ['history.csv', 'history.jsonl', 'curves.svg', 'curves.png', 'report.json', 'report.md', 'recipe.json', 'model.safetensors']) {
          expect(existsSync(join(out, f))).toBe(true);
        }
        const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
        expect(report.dataset).toMatchObject({ name: 'fashion-mnist', fake: false, test: 160 });
        expect(report.test.count).toBe(160);
        expect(report.test.acc1).toBeGreaterThanOrEqual(0);
        expect(report.test.acc1).toBeLessThanOrEqual(1);
        expect(report.epochs).toBe(1);
        expect(existsSync(report.lastCheckpoint)).toBe(true);
        // The flags that changed the experiment are what recipe.json and the checkpoint's config record.
        const recorded = JSON.parse(readFileSync(join(out, 'recipe.json'), 'utf8'));
        expect(recorded).toMatchObject({ batchSize: 64, limits: { train: 320, test: 160 }, stop: { epochs: 1 } });
        const meta = JSON.parse(readFileSync(String(report.lastCheckpoint).replace(/(\.json)?$/, '.json'), 'utf8'));
        expect(meta.extra.config).toMatchObject({ batchSize: 64, limits: { train: 320, test: 160 }, stop: { epochs: 1 } });
        expect(readFileSync(join(out, 'curves.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<path/);
        expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/test accuracy: top-1 \d+\.\d+%/);
        expect(r.stdout).toMatch(/fashion-mnist-resnet20: test top-1/);
        // The trained weights are a plain torch-style state dict that eval (and predict) load.
        const ev = runCli(['eval', '--model', 'resnet20', '--weights', join(out, 'model.safetensors'), '--dataset', 'fashion-mnist', '--limit', '100', '--json']);
        expect(ev.stderr).not.toMatch(/error/i);
        expect(ev.code).toBe(0);
        const res = JSON.parse(ev.stdout);
        expect(res.count).toBe(100);
        expect(res.acc1).toBeGreaterThanOrEqual(0);
        expect(res.acc5).toBeGreaterThanOrEqual(res.acc1);
        // The paper's whole-image protocol at the images' own size is the single-view test.
        const same = runCli(['eval', '--model', 'resnet20', '--weights', join(out, 'model.safetensors'), '--dataset', 'fashion-mnist', '--limit', '100', '--scales', '28', '--json']);
        expect(same.code).toBe(0);
        const s28 = JSON.parse(same.stdout);
        expect(s28.protocol).toEqual({ tenCrop: false, scales: [28], cropSize: 28, flip: false, average: 'softmax' });
        expect(s28.acc1).toBe(res.acc1);
        expect(Math.abs(s28.loss - res.loss)).toBeLessThanOrEqual(1e-5);
        const ms = runCli(['eval', '--model', 'resnet20', '--weights', join(out, 'model.safetensors'), '--dataset', 'fashion-mnist', '--limit', '40', '--scales', '28,36', '--flip', '--average', 'logits']);
        expect(ms.code).toBe(0);
        expect(ms.stdout).toMatch(/40 images, fully convolutional, scales 28\/36, flips, logits averaged\): top-1 \d+\.\d+%/);
        expect(runCli(['eval', '--model', 'resnet20', '--weights', join(out, 'model.safetensors'), '--dataset', 'fashion-mnist', '--average', 'mode']).stderr).toMatch(/--average must be softmax or logits/);
        // predict reads classes and channels from the weights: a 1-channel model, Fashion-MNIST names.
        const px = Buffer.alloc(28 * 28, 0);
        for (let i = 0; i < px.length; i++) px[i] = i % 28 > 8 && i % 28 < 20 ? 220 : 10;
        const png = join(out, 'trousers.png');
        await (await import('sharp')).default(px, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(png);
        const pr = runCli(['predict', '--model', 'resnet20', '--weights', join(out, 'model.safetensors'), '--image', png, '--json']);
        expect(pr.code).toBe(0);
        const fashion = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
        for (const p of JSON.parse(pr.stdout)[0].predictions) expect(p.label).toBe(fashion[p.index]);
        // Loader worker threads rebuild the recipe's transforms from their specs: same batches, same run.
        const outW = join(out, 'workers');
        const w = runCli(['train', '--recipe', 'fashion-mnist-resnet20', '--epochs', '1', '--limit-train', '320', '--limit-test', '160', '--batch-size', '64', '--workers', '2', '--out', outW]);
        expect(w.code).toBe(0);
        const cols = (f: string) => readFileSync(f, 'utf8').trim().split('\n')[1]!.split(',').slice(0, 9);
        expect(cols(join(outW, 'history.csv'))).toEqual(cols(join(out, 'history.csv')));
        // --resume continues from the newest checkpoint: one more epoch, history keeps the first.
        const again = runCli(['train', '--recipe', 'fashion-mnist-resnet20', '--epochs', '2', '--limit-train', '320', '--limit-test', '160', '--batch-size', '64', '--out', out, '--resume']);
        expect(again.code).toBe(0);
        const history = readFileSync(join(out, 'history.csv'), 'utf8').trim().split('\n');
        expect(history.map((l) => l.split(',')[0])).toEqual(['epoch', '1', '2']);
        expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).epochs).toBe(2);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  );
});
