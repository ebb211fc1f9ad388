import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, useBackend, seed } from '@residual/tensor';
import { FormulaLoader, tinyNet } from '../testing/helpers';
import { fit, ResumeMismatchError } from './fit';
import { NonFiniteLossError } from './step';
import { NonFiniteEvalError } from '../eval/evaluate';
import { LabelOutOfRangeError } from '../loss/metrics';
import { sgd } from '../optim/sgd';
import { multiStepLR } from '../schedulers';
import { loadCheckpoint, listCheckpoints } from '../checkpoint/checkpoint';

const silent = { progress: false as const };

describe('fit', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('cpu');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'residual-fit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('learns, logs top-1/top-5/loss/lr per epoch, writes history and checkpoints', async () => {
    seed(1);
    const model = tinyNet();
    const optimizer = sgd({ lr: 0.2, momentum: 0.9, weightDecay: 1e-4 });
    const scheduler = multiStepLR(optimizer, { milestones: [9], interval: 'iteration', gamma: 0.5 });
    const lines: string[] = [];
    const r = await fit({
      model, train: new FormulaLoader(), val: new FormulaLoader(2), optimizer, scheduler, epochs: 4,
      checkpointDir: dir, keepLast: 2, progress: { tty: false, stream: { write: (s: string) => lines.push(s) } },
    });
    expect(r.history).toHaveLength(4);
    expect(r.iterations).toBe(24);
    const [first, last] = [r.history[0], r.history[3]];
    expect(last.train_loss).toBeLessThan(first.train_loss);
    expect(last.val_acc1).toBeGreaterThan(0.6);
    expect(last.val_acc5).toBe(1); // 3 classes: the label is always within the top 5
    expect(first.lr).toBe(0.2);
    expect(last.lr).toBeCloseTo(0.1, 12);
    expect(lines.some((l) => /epoch 4 iter 24 .*val loss/.test(l))).toBe(true);
    expect(listCheckpoints(dir).map((p) => p.split('/').pop())).toEqual(['ckpt-000000018.json', 'ckpt-000000024.json']);
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining(['best.json', 'best.safetensors', 'history.csv', 'history.jsonl']));
    expect(files.some((f) => f.includes('.tmp-'))).toBe(false);
    const csv = readFileSync(join(dir, 'history.csv'), 'utf8').trim().split('\n');
    expect(csv[0].startsWith('epoch,iteration,lr,train_loss')).toBe(true);
    expect(csv).toHaveLength(5);
    const ck = loadCheckpoint(dir);
    expect(ck.meta).toMatchObject({ epoch: 4, iteration: 24, epochIteration: 0, loader: { epoch: 4, batchIndex: 0 } });
    expect(Object.keys(ck.optimizer)).toContain('momentum_buffer.0.weight');
    expect(Object.keys(ck.model)).toContain('1.running_mean');
  });

  it('keeps BatchNorm in train mode for steps and eval mode for validation', async () => {
    seed(2);
    const model = tinyNet();
    const modes: boolean[] = [];
    const fwd = model.forward.bind(model);
    model.forward = (x: tf.Tensor) => {
      modes.push(model.training);
      return fwd(x);
    };
    await fit({ model, train: new FormulaLoader(3), val: new FormulaLoader(2), optimizer: sgd({ lr: 0.1 }), epochs: 1, ...silent });
    expect(modes).toEqual([true, true, true, false, false]);
    expect(model.training).toBe(true);
  });

  it('stops on a NaN loss naming the step, leaving the weights finite', async () => {
    seed(3);
    const model = tinyNet();
    const before = model.stateDict();
    const err = await fit({
      model, train: new FormulaLoader(), optimizer: sgd({ lr: 1 }), epochs: 2, ...silent,
      loss: (logits) => tf.tidy(() => tf.div(tf.sum(logits), tf.scalar(0))) as tf.Scalar,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect(err.message).toMatch(/loss is (NaN|-?Infinity) at epoch 1, iteration 1/);
    const after = model.stateDict();
    expect(Array.from(after['0.weight'].dataSync())).toEqual(Array.from(before['0.weight'].dataSync()));
    tf.dispose([...Object.values(before), ...Object.values(after)]);
  });

  it('early stopping with restoreBest puts the best epoch back', async () => {
    seed(4);
    const model = tinyNet();
    let bestWeights: number[] = [];
    let bestAcc = -1;
    const r = await fit({
      model, train: new FormulaLoader(2), val: new FormulaLoader(2), optimizer: sgd({ lr: 3 }), epochs: 30, ...silent,
      earlyStopping: { monitor: 'val_acc1', patience: 2, restoreBest: true },
      callbacks: {
        onEpochEnd: (rec) => {
          if ((rec.val_acc1 as number) > bestAcc) {
            bestAcc = rec.val_acc1 as number;
            bestWeights = Array.from(model.namedParameters()[0][1].dataSync());
          }
        },
      },
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.history.length).toBeLessThan(30);
    expect(r.best?.value).toBe(bestAcc);
    expect(Array.from(model.namedParameters()[0][1].dataSync())).toEqual(bestWeights);
  });

  it('keeps tf.memory().numTensors flat across 200 training steps', async () => {
    seed(5);
    const model = tinyNet();
    const optimizer = sgd({ lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
    const counts: number[] = [];
    await fit({
      model, train: new FormulaLoader(50, 4), optimizer, iterations: 200, ...silent,
      callbacks: { onBatchEnd: (i) => void (i.iteration > 1 && counts.push(tf.memory().numTensors)) },
    });
    expect(counts).toHaveLength(199);
    expect(Math.max(...counts)).toBe(Math.min(...counts));
  });
  it('stops with an error when an epoch yields no batch (an empty split used to loop forever)', async () => {
    const model = tinyNet();
    const optimizer = sgd({ lr: 0.1 });
    await expect(fit({ model, train: [], optimizer, iterations: 5, ...silent })).rejects.toThrow(/yielded no training batch/);
    await expect(fit({ model, train: new FormulaLoader(0, 4), optimizer, epochs: 3, ...silent })).rejects.toThrow(/training data is empty/);
  });

  it('stops when validation scores turn NaN instead of logging a good-looking accuracy', async () => {
    seed(2);
    const model = tinyNet();
    const optimizer = sgd({ lr: 0.1 });
    const nanVal = [{ x: tf.fill([4, 6, 6, 1], NaN), y: tf.tensor1d([0, 1, 2, 0], 'int32') }];
    const err = await fit({ model, train: new FormulaLoader(2, 4), val: nanVal, optimizer, epochs: 2, ...silent }).catch((e) => e);
    expect(err).toBeInstanceOf(NonFiniteEvalError);
  });

  it('refuses training labels outside the head', async () => {
    const model = tinyNet(1, 2); // 2 classes; FormulaLoader labels go up to 2
    await expect(fit({ model, train: new FormulaLoader(2, 4), optimizer: sgd({ lr: 0.1 }), epochs: 1, ...silent })).rejects.toThrow(LabelOutOfRangeError);
  });
  it('a stop by iterations mid-epoch is a partial epoch: no per-epoch scheduler step, and a resume finishes that epoch exactly', async () => {
    const run = async (dirName: string, iterations: number, resume: boolean) => {
      seed(7);
      const model = tinyNet();
      const optimizer = sgd({ lr: 0.1, momentum: 0.9 });
      const scheduler = multiStepLR(optimizer, { milestones: [1], gamma: 0.1 }); // per epoch
      const r = await fit({ model, train: new FormulaLoader(6, 4), optimizer, scheduler, iterations, checkpointDir: join(dir, dirName), resume, ...silent });
      const w = Array.from(model.namedParameters()[0][1].dataSync());
      return { r, w, lr: optimizer.paramGroups[0].lr };
    };
    const first = await run('a', 4, false);
    expect(first.r.epochs).toBe(0);
    expect(first.r.history).toHaveLength(1);
    expect(first.r.history[0]).toMatchObject({ epoch: 1, iteration: 4, partial: 1, epoch_iterations: 4 });
    expect(first.lr).toBe(0.1); // the epoch did not end: no milestone
    const resumed = await run('a', 9, true);
    const straight = await run('b', 9, false);
    expect(resumed.r.history.map((h) => [h.epoch, h.iteration, h.partial])).toEqual([[1, 6, undefined], [2, 9, 1]]);
    expect(resumed.r.history.map((h) => h.epoch)).toEqual(straight.r.history.map((h) => h.epoch));
    expect(resumed.lr).toBeCloseTo(0.01, 12);
    expect(resumed.w).toEqual(straight.w);
  });

  it('refuses to resume with another configuration, naming each difference; allowed fields may change', async () => {
    seed(8);
    const ckdir = join(dir, 'cfg');
    const opts = () => ({ model: tinyNet(), train: new FormulaLoader(2, 4), optimizer: sgd({ lr: 0.1 }), checkpointDir: ckdir, ...silent });
    await fit({ ...opts(), epochs: 1, config: { batchSize: 4, seed: 1, stop: { epochs: 1 } } });
    const err = await fit({ ...opts(), epochs: 2, resume: true, config: { batchSize: 8, seed: 1, limits: { train: 100 }, stop: { epochs: 2 } } }).catch((e) => e);
    expect(err).toBeInstanceOf(ResumeMismatchError);
    expect(err.message).toMatch(/batchSize: 4 then, 8 now/);
    expect(err.message).toMatch(/limits: unset then, {"train":100} now/);
    expect(err.message).toMatch(/stop\.epochs: 1 then, 2 now/);
    const ok = await fit({ ...opts(), epochs: 2, resume: true, config: { batchSize: 4, seed: 1, stop: { epochs: 2 } }, resumeMayChange: ['stop'] });
    expect(ok.epochs).toBe(2);
  });
  it('logEvery adds interim rows with validation inside epochs, which step no per-epoch scheduler', async () => {
    seed(9);
    const model = tinyNet();
    const optimizer = sgd({ lr: 0.1 });
    const scheduler = multiStepLR(optimizer, { milestones: [1], gamma: 0.5 });
    const r = await fit({ model, train: new FormulaLoader(6, 4), val: new FormulaLoader(1, 4), optimizer, scheduler, epochs: 2, logEvery: 2, ...silent });
    expect(r.history.map((h) => [h.epoch, h.iteration, h.interim ?? 0])).toEqual([
      [1, 2, 1], [1, 4, 1], [1, 6, 0], [2, 8, 1], [2, 10, 1], [2, 12, 0],
    ]);
    expect(r.history.every((h) => Number.isFinite(h.val_loss!))).toBe(true);
    expect(r.history.filter((h) => h.epoch === 1).map((h) => h.lr)).toEqual([0.1, 0.1, 0.1]);
    expect(r.history[5]!.lr).toBeCloseTo(0.05, 12);
  });
});
