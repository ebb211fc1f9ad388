import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '@residual/train';
import { join, resolve } from 'node:path';
import { encodeSafetensors } from '@residual/nn';
import { toHost } from '@residual/tensor';
import type { Command } from './command';
import { parse, intOption, required } from '../util/args';
import { CliError } from '../util/errors';
import { prepareRunDir } from '../util/out-dir';
import { BACKEND_HELP, selectBackend } from '../util/backend';
import { loadRecipe } from '../recipes/load';
import { expandRecipe } from '../recipes/validate';
import { buildRun, type BuiltRun } from '../recipes/build';
import type { Recipe, RunSpec } from '../recipes/schema';
import type { Io } from '../util/io';
import type { Callbacks } from '@residual/train';

const HELP = `Usage: residual train --recipe NAME|FILE.json [options]

Trains as a recipe says (see 'residual recipes'), writing into --out: checkpoints and history
(history.jsonl, history.csv) as @residual/train's fit does, curves.svg/.png (loss, top-1 error and lr per
epoch), and report.json / report.md with the test accuracy at the end.

Options:
  --recipe NAME|FILE   a recipe name or a path to a recipe .json
  --variant ID         only this variant of a multi-run recipe (repeatable; default: all)
  --data-dir DIR       dataset directory (default: the recipe's data.root, $RESIDUAL_DATA/<dataset>,
                       ~/.cache/residual/<dataset>; Fashion-MNIST also /usr/share/datasets/fashion-mnist)
  --epochs N           stop after N epochs (replaces the recipe's stopping rule)
  --iterations N       stop after N optimizer steps (replaces the recipe's stopping rule)
  --batch-size N       override the recipe's batch size
  --limit-train N      train on a seeded random subset of N images (validation holdout shrinks alike)
  --limit-test N       evaluate on N test images
  --workers N          loader worker threads (default 0: transforms run in the main thread)
  --out DIR            output directory (default runs/<recipe>[/<variant>])
  --log-every N        also log metrics and validate every N iterations (default: the recipe's logEvery)
  --checkpoint-every N also checkpoint every N iterations (default: at the end of each epoch)
  --resume             continue from the newest checkpoint in --out
  --overwrite          replace the run in a non-empty --out (without it, or --resume, that is refused)
  --dry-run            build model, data pipeline (random stand-in data where the dataset is
                       absent), optimizer and schedule, run one batch forward, train nothing
  --seed N             override the recipe's seed
${BACKEND_HELP}
  -h, --help           show this help

Example:
  residual train --recipe fashion-mnist-resnet20 --epochs 1 --limit-train 2000 --limit-test 1000
`;

/** The variant id of an expanded run (`null` for a recipe without variants). */
export function variantOf(run: RunSpec): string | null {
  return run.runName.split('/')[1] ?? null;
}

/** The recipe's runs, or only the `wanted` variants (an unknown id is a usage error listing the known ones). */
export function selectVariants(recipe: Recipe, wanted: string[] | undefined): RunSpec[] {
  const runs = expandRecipe(recipe);
  if (!wanted?.length) return runs;
  const ids = runs.map((r) => variantOf(r) ?? '');
  const unknown = wanted.filter((w) => !ids.includes(w));
  if (unknown.length) throw new CliError(`recipe ${recipe.name} has no variant ${unknown.join(', ')} (variants: ${ids.join(', ') || 'none'})`, 2);
  return runs.filter((_, i) => wanted.includes(ids[i]!));
}

/** A run spec with the command line's overrides (`--epochs`, `--seed`, `--limit-train`…) applied: what recipe.json and every checkpoint record. */
export function applyOverrides(run: RunSpec, v: Record<string, unknown>): RunSpec {
  const out = structuredClone(run);
  const epochs = intOption(v, 'epochs');
  const iterations = intOption(v, 'iterations');
  if (epochs !== undefined || iterations !== undefined) {
    out.stop = {};
    if (epochs !== undefined) out.stop.epochs = epochs;
    if (iterations !== undefined) out.stop.iterations = iterations;
  }
  const seed = intOption(v, 'seed', 0);
  if (seed !== undefined) out.seed = seed;
  // Everything that changes the experiment lands in the run spec, which recipe.json and every
  // checkpoint record (and which a resume is checked against).
  const batchSize = intOption(v, 'batch-size');
  if (batchSize !== undefined) out.batchSize = batchSize;
  const limitTrain = intOption(v, 'limit-train');
  const limitTest = intOption(v, 'limit-test');
  if (limitTrain !== undefined || limitTest !== undefined) out.limits = { ...(limitTrain !== undefined ? { train: limitTrain } : {}), ...(limitTest !== undefined ? { test: limitTest } : {}) };
  const workers = intOption(v, 'workers', 0);
  if (workers !== undefined) out.data.workers = workers;
  if (typeof v['data-dir'] === 'string') out.data.root = v['data-dir'];
  const logEvery = intOption(v, 'log-every');
  if (logEvery !== undefined) out.logEvery = logEvery;
  return out;
}

async function dryRun(built: BuiltRun, io: Io): Promise<void> {
  const { tf } = await import('@residual/tensor');
  const it = built.train[Symbol.asyncIterator]();
  const first = await it.next();
  await it.return?.(undefined);
  if (first.done) throw new CliError(`${built.run.runName}: the training loader yielded no batch`);
  const { x, y } = first.value;
  built.model.eval();
  const logits = tf.tidy(() => built.model.forward(x));
  io.out(`  one batch: x [${x.shape.join(', ')}], y [${y.shape.join(', ')}] → logits [${logits.shape.join(', ')}]; lr ${built.optimizer.paramGroups[0]!.lr}\n`);
  logits.dispose();
  x.dispose();
  y.dispose();
}

/** "2 epochs", "1 full epoch, then 150 iterations into epoch 2". */
function describeEpochs(epochs: number, history: Array<{ partial?: number; epoch_iterations?: number }>): string {
  const last = history[history.length - 1];
  const whole = `${epochs} full epoch${epochs === 1 ? '' : 's'}`;
  return last?.partial ? `${whole}, then ${last.epoch_iterations} iterations into epoch ${epochs + 1}` : whole;
}

/**
 * Trains one built run into `outDir` and writes its outputs (history, checkpoints, final weights,
 * curves, report); `callbacks` see every step (a sweep worker's progress and lock checks).
 */
export async function trainRun(built: BuiltRun, outDir: string, resume: boolean, overwrite: boolean, checkpointEvery: number | undefined, io: Io, callbacks?: Callbacks) {
  const train = await import('@residual/train');
  const { run } = built;
  prepareRunDir(outDir, { resume, overwrite });
  mkdirSync(outDir, { recursive: true });
  writeFileAtomic(join(outDir, 'recipe.json'), JSON.stringify(run, null, 2) + '\n');
  const started = Date.now();
  const { backendInfo } = await import('@residual/tensor');
  const info = backendInfo();
  const backendName = `${info.name}${info.threads > 1 ? `×${info.threads}` : ''}${info.adapter ? ` (${info.adapter.description || info.adapter.architecture})` : ''}`;
  const result = await train.fit({
    model: built.model,
    train: built.train,
    val: built.val,
    optimizer: built.optimizer,
    scheduler: built.scheduler,
    epochs: run.stop.epochs,
    iterations: run.stop.iterations,
    earlyStopping: run.earlyStopping ? { patience: run.earlyStopping.patience, monitor: run.earlyStopping.monitor, mode: run.earlyStopping.mode } : undefined,
    checkpointDir: outDir,
    checkpointEvery,
    logEvery: run.logEvery,
    resume,
    config: { recipe: run.runName, ...(run as unknown as Record<string, unknown>) },
    // Training longer, or from another folder or with other loader threads, is still the same run.
    resumeMayChange: ['stop', 'data.root', 'data.workers', 'logEvery'],
    ...(callbacks ? { callbacks } : {}),
  });
  // Final weights as a plain state dict (torchvision key names, PyTorch layouts): what
  // 'residual predict/eval' and torch's load_state_dict take.
  const sd = built.model.stateDict();
  await toHost(sd);
  writeFileAtomic(join(outDir, 'model.safetensors'), encodeSafetensors(sd, { metadata: { recipe: run.runName, model: run.model.name } }));
  Object.values(sd).forEach((t) => t.dispose());
  const ev = run.evaluation ?? {};
  // The paper's protocols run on the whole test images; without them, the test loader as configured.
  const test =
    ev.tenCrop || ev.scales?.length
      ? await train.evaluateImages(built.model, built.testImages, { ...ev, ...built.testNormalize })
      : await train.evaluate(built.model, built.test);
  const seconds = (Date.now() - started) / 1000;
  // Loss, top-1 error and learning-rate panels, train vs val: curves.svg and curves.png.
  // Runs logged within epochs (or stopped by iterations) plot against iterations, as the paper's curves.
  const byIteration = result.history.some((r) => r.interim || r.partial);
  await train.plotHistory(result.history, { out: join(outDir, 'curves'), title: `${run.runName}: ${run.model.name} on ${built.data.name}`, x: byIteration ? 'iteration' : 'epoch' });
  const report = {
    recipe: run.runName,
    model: run.model,
    dataset: built.data,
    epochs: result.epochs,
    iterations: result.iterations,
    stoppedEarly: result.stoppedEarly,
    best: result.best,
    test: { acc1: test.acc1, acc5: test.acc5, top1Error: test.top1Error, top5Error: test.top5Error, loss: test.loss, count: test.count, protocol: ev },
    seconds,
    backend: backendName,
    lastCheckpoint: result.lastCheckpoint,
  };
  writeFileAtomic(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  const md = [
    `# ${run.runName}`,
    '',
    run.description,
    '',
    `- model: \`${run.model.name}\` ${JSON.stringify(run.model.options ?? {})}`,
    `- data: ${built.data.name}${built.data.fake ? ' (random stand-in data)' : ''}: ${built.data.train} train, ${built.data.val} val, ${built.data.test} test`,
    `- trained: ${result.iterations} iterations of batch ${run.batchSize} (${describeEpochs(result.epochs, result.history)})${result.stoppedEarly ? ', stopped early' : ''} in ${seconds.toFixed(0)} s on ${backendName}, stopping rule ${JSON.stringify(run.stop)}`,
    `- **test accuracy: top-1 ${pct(test.acc1)} (error ${pct(test.top1Error)}), top-5 ${pct(test.acc5)}** on ${test.count} images`,
    result.best ? `- best ${result.best.monitor}: ${result.best.value.toFixed(4)} at epoch ${result.best.epoch}` : '',
    '',
    '| epoch | lr | train loss | train top-1 | val loss | val top-1 |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...result.history.map((r) => `| ${r.epoch}${r.interim ? ` (iter ${r.iteration})` : r.partial ? ` (partial, ${r.epoch_iterations} iterations)` : ''} | ${r.lr.toPrecision(3)} | ${r.train_loss.toFixed(4)} | ${pct(r.train_acc1)} | ${r.val_loss?.toFixed(4) ?? '-'} | ${r.val_acc1 === undefined ? '-' : pct(r.val_acc1)} |`),
    '',
    '![curves](curves.svg)',
    '',
  ].join('\n');
  writeFileAtomic(join(outDir, 'report.md'), md);
  io.out(`${run.runName}: test top-1 ${pct(test.acc1)} (error ${pct(test.top1Error)}) on ${test.count} images; wrote ${outDir}/{report.md,report.json,curves.svg,curves.png,history.csv,model.safetensors}\n`);
  return report;
}

export const trainCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const { values } = parse('train', argv, {
      recipe: { type: 'string' },
      variant: { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      epochs: { type: 'string' },
      iterations: { type: 'string' },
      'batch-size': { type: 'string' },
      'limit-train': { type: 'string' },
      'limit-test': { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'boolean' },
      'checkpoint-every': { type: 'string' },
      'log-every': { type: 'string' },
      overwrite: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
    });
    const { recipe } = loadRecipe(required('train', values, 'recipe'));
    const runs = selectVariants(recipe, values.variant as string[] | undefined);
    const backend = await selectBackend(values.backend as string | undefined, values.threads as string | undefined);
    const dry = !!values['dry-run'];
    io.out(`recipe ${recipe.name}: ${runs.length} run${runs.length > 1 ? 's' : ''} on ${backend}${dry ? ' (dry run)' : ''}\n`);
    for (const base of runs) {
      const run = applyOverrides(base, values);
      const built = await buildRun(run, {
        dataDir: run.data.root,
        limitTrain: run.limits?.train,
        limitTest: run.limits?.test,
        batchSize: run.batchSize,
        workers: run.data.workers ?? 0,
        fakeIfMissing: dry,
      });
      io.out(`${run.runName}\n${built.summary.map((s) => `  ${s}`).join('\n')}\n`);
      try {
        if (dry) await dryRun(built, io);
        else {
          const variant = variantOf(run);
          const out = values.out ? resolve(values.out as string, runs.length > 1 && variant ? variant : '') : resolve('runs', run.runName);
          await trainRun(built, out, !!values.resume, !!values.overwrite, intOption(values, 'checkpoint-every'), io);
        }
      } finally {
        built.model.dispose();
        built.optimizer.dispose?.();
      }
    }
    return 0;
  },
};
