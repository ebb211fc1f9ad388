import type { RunOverrides } from '@residual/sweep';
import { CliError } from '../util/errors';

/** The `residual train` flag behind each per-run override a sweep job carries (submit reads them, a worker passes them on). */
export const OVERRIDE_FLAGS: Record<keyof RunOverrides, string> = {
  iterations: 'iterations',
  epochs: 'epochs',
  batchSize: 'batch-size',
  limitTrain: 'limit-train',
  limitTest: 'limit-test',
  logEvery: 'log-every',
  checkpointEvery: 'checkpoint-every',
};

/** Options every command that talks to the sweep queue takes. */
export const QUEUE_OPTIONS = {
  queue: { type: 'string' },
  'queue-name': { type: 'string' },
  'tls-ca': { type: 'string' },
} as const;

export const QUEUE_HELP = `  --queue URL          Redis: redis://[:password@]host:port[/db], or rediss://… for TLS
                       (default: $RESIDUAL_QUEUE; an environment variable keeps a password out of 'ps')
  --queue-name NAME    BullMQ queue (default residual-runs)
  --tls-ca FILE        PEM certificate authority of a rediss:// server (default: the system's)`;

/** The sweep package, loaded when a sweep command runs (it brings BullMQ and ioredis). */
export async function loadSweep(): Promise<typeof import('@residual/sweep')> {
  try {
    return await import('@residual/sweep');
  } catch (e) {
    throw new CliError(`sweeps need @residual/sweep (npm i @residual/sweep): ${(e as Error).message}`);
  }
}

/** `--queue` (or $RESIDUAL_QUEUE), `--queue-name` and `--tls-ca` as the sweep package's connection options. */
export function queueConnection(command: string, values: Record<string, unknown>): { url: string; queueName?: string; tlsCa?: string } {
  const url = (values.queue as string | undefined) ?? process.env.RESIDUAL_QUEUE;
  if (!url) throw new CliError(`${command}: give --queue redis://host:port (or set RESIDUAL_QUEUE)`, 2);
  return {
    url,
    ...(typeof values['queue-name'] === 'string' ? { queueName: values['queue-name'] } : {}),
    ...(typeof values['tls-ca'] === 'string' ? { tlsCa: values['tls-ca'] } : {}),
  };
}
