import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built CLI entry; turbo's test task builds it first. */
export const BIN = join(__dirname, '..', 'dist', 'bin.js');

/** Runs the real built `residual` binary and returns its exit code and output. */
export function runCli(args: string[], options: { timeoutMs?: number; cwd?: string; env?: Record<string, string> } = {}) {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build first (npx turbo run build --filter=@residual/cli)`);
  }
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 240_000,
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

/**
 * {@link runCli} without blocking this process's event loop: for tests whose CLI talks to a server the
 * test itself runs (a spawnSync child would wait on a server that cannot answer).
 */
export function runCliAsync(
  args: string[],
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build first (npx turbo run build --filter=@residual/cli)`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
