import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built CLI entry; turbo's test task builds it first. */
export const BIN = join(__dirname, '..', 'dist', 'bin.js');

/** Runs the real built `residual` binary and returns its exit code and output. */
export function runCli(args: string[], options: { timeoutMs?: number; cwd?: string } = {}) {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build first (npx turbo run build --filter=@residual/cli)`);
  }
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 240_000,
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}
