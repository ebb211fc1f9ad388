import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from './command';
import { parse, intOption, required } from '../util/args';
import { CliError } from '../util/errors';
import { BACKEND_HELP, selectBackend } from '../util/backend';
import { RecipeError, validateRecipe } from '../recipes/validate';
import { buildRun } from '../recipes/build';
import { applyOverrides, selectVariants, trainRun, variantOf } from './train';
import { loadSweep, OVERRIDE_FLAGS, queueConnection, QUEUE_HELP, QUEUE_OPTIONS } from './queue-options';
import type { Io } from '../util/io';
import type { RunContext, RunOverrides } from '@residual/sweep';

const HELP = `Usage: residual worker --queue URL --store DIR [options]

Takes training runs of sweeps (see 'residual sweep') from the queue and trains them, one at a time, into
the shared run store: <store>/<sweep>/<variant>/seed-<n>/, the folder 'residual train' would write. Each
run is validated as 'residual train' validates a recipe; a bad recipe or a NaN loss fails that run for
good, other errors are retried. A worker that dies (SIGKILL, a lost machine) or loses Redis for longer
than --lock-duration hands its run to another worker, which resumes it from its newest checkpoint.
SIGINT or SIGTERM: finish the current run, then exit (a second one exits at once; the run resumes
elsewhere from its last checkpoint).

Options:
${QUEUE_HELP}
  --store DIR          the shared run store (the same folder on every machine)
  --data-dir DIR       dataset directory on this machine (default as 'residual train')
  --concurrency N      runs trained at once in this process (default 1; above 1, runs share tfjs'
                       global random state and are no longer bit-reproducible: start more workers instead)
  --lock-duration MS   how long a silent worker keeps its run before it is handed over (default 30000;
                       must exceed one training step)
  --exit-when-idle     exit once the queue has no waiting or running runs (for scripts and CI)
${BACKEND_HELP}
  -h, --help           show this help

Example:
  RESIDUAL_QUEUE=redis://:secret@10.0.0.5:6379 residual worker --store /mnt/shared/sweeps --backend webgpu
`;

// Errors no retry can fix: the job is marked failed at once with the message.
async function fatalErrors(): Promise<Array<new (...args: never[]) => Error>> {
  const train = await import('@residual/train');
  return [RecipeError, train.NonFiniteLossError, train.NonFiniteEvalError, train.ResumeMismatchError, train.LabelOutOfRangeError];
}

async function executeRun(ctx: RunContext, dataDir: string | undefined, io: Io): Promise<Record<string, unknown>> {
  const { FatalRunError } = await loadSweep();
  const fatal = (why: string): never => {
    throw new FatalRunError(`job ${ctx.jobId}: ${why}`);
  };
  const { job } = ctx;
  // The job's recipe is data from the queue: validated exactly as 'residual train' validates a file.
  const recipe = validateRecipe(job.recipe, `job ${ctx.jobId} recipe`);
  if (recipe.data.root !== undefined) fatal(`the recipe's data.root (${JSON.stringify(recipe.data.root)}) is a path; jobs carry no paths (each worker's --data-dir decides)`);
  const runs = selectVariants(recipe, job.variant === null ? undefined : [job.variant]);
  if (job.variant === null && (runs.length !== 1 || variantOf(runs[0]!) !== null)) fatal(`recipe ${recipe.name} has variants, but the job names none`);
  const reportFile = join(ctx.runDir, 'report.json');
  // Trained before, but its worker died before telling the queue: the report in the store stands.
  if (existsSync(reportFile) && existsSync(join(ctx.runDir, 'model.safetensors'))) {
    io.out(`${ctx.jobId}: already trained in ${ctx.runDir}; keeping its report\n`);
    return runSummary(JSON.parse(readFileSync(reportFile, 'utf8')) as RunReport, ctx.runDir);
  }
  const o = job.overrides;
  const values: Record<string, unknown> = { seed: String(job.seed) };
  // As on the command line of 'residual train' (applyOverrides reads them; --checkpoint-every goes to trainRun).
  for (const [k, flag] of Object.entries(OVERRIDE_FLAGS)) if (o[k as keyof RunOverrides] !== undefined) values[flag] = String(o[k as keyof RunOverrides]);
  if (dataDir) values['data-dir'] = dataDir;
  const run = applyOverrides(runs[0]!, values);
  const built = await buildRun(run, { dataDir: run.data.root, limitTrain: run.limits?.train, limitTest: run.limits?.test, batchSize: run.batchSize, workers: run.data.workers ?? 0 });
  // The ETA needs a total: the iteration budget, or epochs × batches per epoch, whichever ends first.
  const perEpoch = typeof built.train.length === 'number' ? built.train.length : undefined;
  const byEpochs = run.stop.epochs !== undefined && perEpoch !== undefined ? run.stop.epochs * perEpoch : undefined;
  const total = run.stop.iterations !== undefined && byEpochs !== undefined ? Math.min(run.stop.iterations, byEpochs) : (run.stop.iterations ?? byEpochs);
  let report: RunReport;
  try {
    report = await trainRun(built, ctx.runDir, true, false, o.checkpointEvery, io, {
      onBatchEnd(info) {
        // Before this step's checkpoint is written: a worker that lost its run writes nothing more.
        ctx.checkLock();
        ctx.progress({ iteration: info.iteration, ...(total !== undefined ? { iterations: total } : {}), epoch: info.epoch + 1, loss: info.loss });
      },
    });
  } finally {
    built.model.dispose();
    built.optimizer.dispose?.();
  }
  return runSummary(report, ctx.runDir);
}

/** The part of a run's report.json that the finished job records. */
type RunReport = Pick<Awaited<ReturnType<typeof trainRun>>, 'iterations' | 'test' | 'seconds' | 'backend'>;

async function runSummary(report: RunReport, runDir: string): Promise<Record<string, unknown>> {
  // A worker trains run after run in one process: whatever a run left behind would pile up.
  const { tf } = await import('@residual/tensor');
  return { iterations: report.iterations, top1Error: report.test.top1Error, seconds: report.seconds, backend: report.backend, runDir, tensorsHeld: tf.memory().numTensors };
}

export const workerCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const { values } = parse('worker', argv, {
      ...QUEUE_OPTIONS,
      store: { type: 'string' },
      'data-dir': { type: 'string' },
      concurrency: { type: 'string' },
      'lock-duration': { type: 'string' },
      'exit-when-idle': { type: 'boolean' },
      backend: { type: 'string' },
      threads: { type: 'string' },
    });
    const connection = queueConnection('worker', values);
    const store = required('worker', values, 'store');
    const concurrency = intOption(values, 'concurrency') ?? 1;
    const lockDuration = intOption(values, 'lock-duration', 1000);
    const sweep = await loadSweep();
    const backend = await selectBackend(values.backend as string | undefined, values.threads as string | undefined);
    if (concurrency > 1) io.err(`residual worker: warning: --concurrency ${concurrency}: runs in one process share tfjs' random state; they are not bit-reproducible\n`);
    const fatal = await fatalErrors();
    const worker = await sweep.startWorker({
      ...connection,
      store,
      concurrency,
      ...(lockDuration !== undefined ? { lockDuration } : {}),
      execute: (ctx) => executeRun(ctx, values['data-dir'] as string | undefined, io),
      isFatal: (e) => fatal.some((E) => e instanceof E) || (e instanceof CliError && e.exitCode === 2),
      log: (line) => io.err(`${new Date().toISOString()} ${line}\n`),
    });
    io.err(`residual worker: ${worker.name} training on ${backend}\n`);
    let stopping = false;
    await new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
        stopping = true;
        io.err(`residual worker: ${signal}: finishing the current run, then exiting (again to exit now)\n`);
        void worker.close().then(resolve);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      if (values['exit-when-idle']) {
        const timer = setInterval(() => {
          void worker.queueIdle().then(
            (idle) => {
              if (idle && !stopping) {
                stopping = true;
                clearInterval(timer);
                io.err('residual worker: the queue is empty; exiting\n');
                void worker.close().then(resolve);
              }
            },
            () => undefined,
          );
        }, 2000);
      }
    });
    return 0;
  },
};
