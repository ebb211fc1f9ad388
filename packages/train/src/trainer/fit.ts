import { tf, globalRng, toHost } from '@residual/tensor';
import { loadCheckpoint, latestValidCheckpoint, restoreModel, restoreOptimizer, saveCheckpoint, type LoadedCheckpoint } from '../checkpoint/checkpoint';
import { toRaw, toTensor, type RawTensor } from '../checkpoint/raw';
import { batches } from '../data/source';
import { evaluate } from '../eval/evaluate';
import { Meter, topkHits } from '../loss/metrics';
import { writeHistory, type EpochRecord } from '../observe/history';
import { Progress } from '../observe/progress';
import { resolveLoss, trainStep } from './step';
import type { Callbacks, FitContext, FitOptions, FitResult } from './types';

type Best = { monitor: string; value: number; epoch: number };

function improves(value: number, best: number | undefined, mode: 'min' | 'max', minDelta = 0): boolean {
  if (best === undefined) return Number.isFinite(value);
  return mode === 'min' ? value < best - minDelta : value > best + minDelta;
}

async function snapshot(model: FitOptions['model']): Promise<Record<string, RawTensor>> {
  const sd = model.stateDict();
  await toHost(sd);
  const out: Record<string, RawTensor> = {};
  for (const [k, v] of Object.entries(sd)) out[k] = toRaw(v);
  tf.dispose(Object.values(sd));
  return out;
}

/** A field whose value differs between a checkpoint's run configuration and the resuming one. */
export interface ConfigDifference {
  path: string;
  saved: unknown;
  now: unknown;
}

/** Leaf-by-leaf differences of two JSON-like values, as dotted paths. */
export function configDiff(saved: unknown, now: unknown, path = ''): ConfigDifference[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(saved) && isObj(now)) {
    const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])].sort();
    return keys.flatMap((k) => configDiff(saved[k], now[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(saved) === JSON.stringify(now) ? [] : [{ path: path || '(config)', saved, now }];
}

/**
 * Thrown by {@link fit} when it would resume a checkpoint written with another configuration (batch
 * size, seed, data limits…): the message names every differing field with both values.
 * @example
 * ```ts
 * import { fit, ResumeMismatchError } from '@residual/train';
 * try { await fit({ ...options, resume: true }); } catch (e) { if (e instanceof ResumeMismatchError) console.error(e.differences); }
 * ```
 */
export class ResumeMismatchError extends Error {
  constructor(
    readonly checkpoint: string,
    readonly differences: ConfigDifference[],
  ) {
    const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));
    super(
      `@residual/train fit: cannot resume ${checkpoint}: it was written with a different configuration (${differences
        .map((d) => `${d.path}: ${show(d.saved)} then, ${show(d.now)} now`)
        .join('; ')}). Resume with the same settings, or start a new run.`,
    );
    this.name = 'ResumeMismatchError';
  }
}

/**
 * Train a model with the paper's procedure: mini-batch SGD on softmax cross-entropy with BatchNorm in
 * train mode, validation in eval mode after every epoch, scheduler steps per epoch or iteration,
 * checkpoints (atomic safetensors + JSON) that resume to bit-identical weights, early stopping, and a
 * history of loss, top-1/top-5 accuracy and learning rate. A NaN/Inf loss stops the run with an error
 * naming the step ({@link NonFiniteLossError}).
 *
 * @example
 * ```ts
 * import { createModel } from '@residual/zoo';
 * import { fit, sgd, multiStepLR } from '@residual/train';
 * const model = createModel('resnet20', { numClasses: 10 });
 * const optimizer = sgd({ params: model, lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
 * const scheduler = multiStepLR(optimizer, { milestones: [32000, 48000], interval: 'iteration' });
 * const result = await fit({ model, train: trainLoader, val: testLoader, optimizer, scheduler,
 *   iterations: 64000, checkpointDir: 'runs/resnet20', resume: true });
 * console.log(result.history.at(-1));
 * ```
 */
export async function fit(options: FitOptions): Promise<FitResult> {
  const { model, train, val, optimizer, scheduler, checkpointDir } = options;
  if (options.epochs === undefined && options.iterations === undefined) throw new Error('@residual/train fit: give `epochs` or `iterations`');
  if (!optimizer.hasParams) optimizer.attach(model.namedParameters());
  const maxEpochs = options.epochs ?? Infinity;
  const maxIters = options.iterations ?? Infinity;
  const lossFn = resolveLoss(options.loss);
  const callbacks: Callbacks[] = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
  const es = options.earlyStopping;
  const monitor = options.monitor ?? es?.monitor ?? (val ? 'val_loss' : 'train_loss');
  const mode = options.mode ?? es?.mode ?? (monitor.includes('loss') ? 'min' : 'max');
  const esMonitor = es?.monitor ?? monitor;
  const esMode = es?.mode ?? (esMonitor.includes('loss') ? 'min' : 'max');
  const progress = options.progress === false ? null : new Progress(options.progress === true ? {} : (options.progress ?? {}));
  const keepLast = options.keepLast ?? 3;

  let epoch = 0;
  let iteration = 0;
  let epochIteration = 0;
  let history: EpochRecord[] = [];
  let best: Best | null = null;
  let esBest: number | undefined;
  let esWait = 0;
  let meter = new Meter();
  let epochSeconds = 0;
  let bestState: Record<string, RawTensor> | null = null;
  let stopRequested = false;
  let stoppedEarly = false;
  let lastCheckpoint: string | null = null;

  // Resume: every piece of state that decides the next update comes back exactly.
  // A corrupt newest checkpoint (bit flip, truncated copy) falls back to the newest valid one, saying so.
  let found: { checkpoint: LoadedCheckpoint; skipped: string[] } | null = null;
  if (typeof options.resume === 'string') found = { checkpoint: loadCheckpoint(options.resume), skipped: [] };
  else if (options.resume && checkpointDir) found = latestValidCheckpoint(checkpointDir);
  if (found) {
    for (const note of found.skipped) (progress ? progress.line.bind(progress) : console.warn)(`warning: ${note}`);
    const ck: LoadedCheckpoint = found.checkpoint;
    const saved = (ck.meta.extra as { config?: Record<string, unknown> }).config;
    if (options.config && saved && Object.keys(saved).length) {
      const diffs = configDiff(saved, options.config).filter((d) => !(options.resumeMayChange ?? []).some((p) => d.path === p || d.path.startsWith(`${p}.`)));
      if (diffs.length) throw new ResumeMismatchError(ck.path, diffs);
    }
    restoreModel(model, ck);
    if (ck.meta.optimizer) restoreOptimizer(optimizer, ck);
    if (ck.meta.scheduler && scheduler) scheduler.loadState(ck.meta.scheduler);
    if (ck.meta.rng) globalRng().setState(ck.meta.rng as Parameters<ReturnType<typeof globalRng>['setState']>[0]);
    if (ck.meta.loader != null) {
      if (!train.loadState) throw new Error(`${ck.path}: the checkpoint has a loader position but the training data has no loadState()`);
      train.loadState(ck.meta.loader as never);
    } else if (ck.meta.epochIteration > 0) throw new Error(`${ck.path}: mid-epoch checkpoint, but the training data cannot restore its position`);
    ({ epoch, iteration, epochIteration } = ck.meta);
    best = ck.meta.best;
    const x = ck.meta.extra as { history?: EpochRecord[]; meter?: ReturnType<Meter['toJSON']>; esBest?: number; esWait?: number; epochSeconds?: number };
    history = x.history ?? [];
    meter = Meter.from(epochIteration > 0 ? x.meter : undefined);
    esBest = x.esBest ?? undefined;
    esWait = x.esWait ?? 0;
    epochSeconds = epochIteration > 0 ? (x.epochSeconds ?? 0) : 0;
    if (es?.restoreBest && checkpointDir && best) {
      try {
        bestState = loadCheckpoint(`${checkpointDir}/best.json`).model;
      } catch {
        bestState = null;
      }
    }
    progress?.line(`resumed from ${ck.path} (epoch ${epoch}, iteration ${iteration})`);
  }

  const ctx: FitContext = {
    model,
    optimizer,
    get history() {
      return history;
    },
    get epoch() {
      return epoch;
    },
    get iteration() {
      return iteration;
    },
    stop: () => {
      stopRequested = true;
    },
  };

  const checkpoint = async (name?: string): Promise<string | null> => {
    if (!checkpointDir) return null;
    const path = await saveCheckpoint({
      dir: checkpointDir,
      name,
      model,
      optimizer,
      keepLast: name ? undefined : keepLast,
      meta: {
        epoch,
        iteration,
        epochIteration,
        scheduler: scheduler ? scheduler.state() : null,
        rng: globalRng().getState(),
        loader: train.state ? train.state() : null,
        best,
        extra: { history, meter: meter.toJSON(), esBest, esWait, epochSeconds, config: options.config ?? {} },
      },
    });
    if (!name) lastCheckpoint = path;
    for (const c of callbacks) await c.onCheckpoint?.(path, ctx);
    return path;
  };

  model.train();
  for (const c of callbacks) await c.onTrainBegin?.(ctx);
  const stepsPerEpoch = typeof train.length === 'number' ? train.length : undefined;

  while (epoch < maxEpochs && iteration < maxIters && !stopRequested) {
    if (epochIteration === 0) meter = new Meter();
    for (const c of callbacks) await c.onEpochBegin?.(epoch, ctx);
    model.train();
    let lastLr = optimizer.paramGroups[0].lr;
    let t0 = performance.now();
    let images = 0;
    const startIteration = iteration;
    let brokeOut = false;
    for await (const { x, y } of batches(train)) {
      let hits;
      let loss;
      const n = x.shape[0];
      try {
        lastLr = optimizer.paramGroups[0].lr;
        const r = await trainStep(model, optimizer, x, y, lossFn, { epoch, iteration: iteration + 1 });
        hits = topkHits(r.logits, await y.data(), r.numClasses);
        loss = r.loss;
      } finally {
        tf.dispose([x, y]);
      }
      iteration++;
      epochIteration++;
      meter.add(loss, n, hits);
      images += n;
      if (scheduler && scheduler.interval === 'iteration') scheduler.step();
      const now = performance.now();
      epochSeconds += (now - t0) / 1000;
      t0 = now;
      const ips = images / Math.max(epochSeconds, 1e-9);
      const left = stepsPerEpoch ? ((stepsPerEpoch - epochIteration) * epochSeconds) / epochIteration : NaN;
      progress?.update({ epoch, epochs: Number.isFinite(maxEpochs) ? maxEpochs : undefined, step: epochIteration, steps: stepsPerEpoch, loss: meter.loss, acc1: meter.acc1, imagesPerSec: ips, lr: lastLr }, left);
      for (const c of callbacks) await c.onBatchEnd?.({ epoch, iteration, loss, batchSize: n, lr: lastLr }, ctx);
      if (iteration >= maxIters || stopRequested) {
        brokeOut = true;
        break;
      }
      // Interim records every `logEvery` steps (not at an epoch's end, which has its own): curves of
      // short runs get enough points to read. They step no scheduler and decide no early stopping.
      if (options.logEvery && iteration % options.logEvery === 0 && !(stepsPerEpoch !== undefined && epochIteration >= stepsPerEpoch)) {
        const interim: EpochRecord = {
          epoch: epoch + 1, iteration, lr: lastLr, train_loss: meter.loss, train_acc1: meter.acc1, train_acc5: meter.acc5,
          seconds: epochSeconds, images_per_sec: meter.count / Math.max(epochSeconds, 1e-9), interim: 1,
        };
        if (val) {
          const r = await evaluate(model, val);
          Object.assign(interim, { val_loss: r.loss, val_acc1: r.acc1, val_acc5: r.acc5 });
        }
        history.push(interim);
        progress?.line(
          `iter ${iteration} (epoch ${epoch + 1}) lr ${lastLr.toPrecision(3)} train loss ${interim.train_loss.toFixed(4)} top1 ${(100 * interim.train_acc1).toFixed(2)}%` +
            (val ? ` | val loss ${interim.val_loss?.toFixed(4)} top1 ${(100 * (interim.val_acc1 ?? NaN)).toFixed(2)}%` : ''),
        );
        t0 = performance.now(); // validation time is not training time
      }
      if (options.checkpointEvery && iteration % options.checkpointEvery === 0) await checkpoint();
    }

    // An epoch without a batch would loop forever under an iteration budget (an empty training split).
    if (iteration === startIteration && epochIteration === 0) {
      throw new Error(`@residual/train fit: epoch ${epoch + 1} yielded no training batch; the training data is empty (check the split and --limit-train)`);
    }
    // End of epoch, or of training when the iteration budget ran out mid-epoch: then the record is
    // marked partial, the epoch counter and per-epoch schedulers stay where they are, and a resume
    // finishes the same epoch (its record then replaces the partial one).
    const partial = brokeOut && !(stepsPerEpoch !== undefined && epochIteration >= stepsPerEpoch);
    const record: EpochRecord = {
      epoch: epoch + 1,
      iteration,
      lr: lastLr,
      train_loss: meter.loss,
      train_acc1: meter.acc1,
      train_acc5: meter.acc5,
      seconds: epochSeconds,
      images_per_sec: meter.count / Math.max(epochSeconds, 1e-9),
      ...(partial ? { partial: 1, epoch_iterations: epochIteration } : {}),
    };
    if (val) {
      const r = await evaluate(model, val);
      Object.assign(record, { val_loss: r.loss, val_acc1: r.acc1, val_acc5: r.acc5 });
    }
    // A resumed epoch replaces the partial record the interrupted run left for it.
    const stale = history.findIndex((h) => h.partial && h.epoch === record.epoch);
    if (stale >= 0) history.splice(stale, 1);
    history.push(record);
    if (partial) {
      progress?.line(
        `epoch ${record.epoch} stopped after ${epochIteration}${stepsPerEpoch ? ` of ${stepsPerEpoch}` : ''} iterations (iteration ${iteration}) train loss ${record.train_loss.toFixed(4)}` +
          (val ? ` | val loss ${record.val_loss?.toFixed(4)} top1 ${(100 * (record.val_acc1 ?? NaN)).toFixed(2)}%` : ''),
      );
      if (checkpointDir) {
        writeHistory(checkpointDir, history);
        await checkpoint();
      }
      for (const c of callbacks) await c.onEpochEnd?.(record, ctx);
      break;
    }
    if (scheduler && scheduler.interval === 'epoch') {
      if (scheduler.monitor !== undefined) {
        const m = record[scheduler.monitor];
        if (m === undefined) throw new Error(`@residual/train fit: the scheduler monitors '${scheduler.monitor}', which the history does not have (keys: ${Object.keys(record).join(', ')})`);
        scheduler.step(m);
      } else scheduler.step();
    }
    epoch++;
    epochIteration = 0;
    epochSeconds = 0;
    progress?.line(
      `epoch ${record.epoch} iter ${iteration} lr ${record.lr.toPrecision(3)} train loss ${record.train_loss.toFixed(4)} top1 ${(100 * record.train_acc1).toFixed(2)}%` +
        (val ? ` | val loss ${record.val_loss?.toFixed(4)} top1 ${(100 * (record.val_acc1 ?? NaN)).toFixed(2)}% top5 ${(100 * (record.val_acc5 ?? NaN)).toFixed(2)}%` : '') +
        ` | ${record.images_per_sec.toFixed(0)} img/s`,
    );

    const mv = record[monitor];
    let isBest = false;
    if (mv !== undefined && improves(mv, best?.value, mode)) {
      best = { monitor, value: mv, epoch: record.epoch };
      isBest = true;
      if (es?.restoreBest) bestState = await snapshot(model);
    }
    if (es) {
      const ev = record[esMonitor];
      if (ev === undefined) throw new Error(`@residual/train fit: earlyStopping monitors '${esMonitor}', which the history does not have`);
      if (improves(ev, esBest, esMode, es.minDelta)) {
        esBest = ev;
        esWait = 0;
      } else if (++esWait >= es.patience) {
        stoppedEarly = true;
        stopRequested = true;
        progress?.line(`early stopping: ${esMonitor} has not improved for ${es.patience} epochs (best ${esBest})`);
      }
    }
    if (checkpointDir) {
      writeHistory(checkpointDir, history);
      await checkpoint();
      if (isBest) await checkpoint('best');
    }
    for (const c of callbacks) await c.onEpochEnd?.(record, ctx);
  }

  if (es?.restoreBest && bestState) {
    const sd = Object.fromEntries(Object.entries(bestState).map(([k, v]) => [k, toTensor(v)]));
    try {
      model.loadStateDict(sd, { strict: true });
    } finally {
      tf.dispose(Object.values(sd));
    }
  }
  const result: FitResult = { history, epochs: epoch, iterations: iteration, best, stoppedEarly, lastCheckpoint };
  for (const c of callbacks) await c.onTrainEnd?.(result, ctx);
  return result;
}
