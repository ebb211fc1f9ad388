#!/usr/bin/env node
// The `residual` command. A committed shim, so npm links it even before the CLI is built (in a fresh
// clone, `npm ci` runs before any build). It runs the built CLI; in the residual repository it first
// builds it when it is missing; anywhere else it says what is wrong.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const built = join(__dirname, '..', 'dist', 'bin.js');
const repo = join(__dirname, '..', '..', '..');
const turbo = join(repo, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
if (!existsSync(built) && existsSync(join(repo, 'turbo.json')) && existsSync(turbo)) {
  process.stderr.write('residual: building the CLI and the packages it uses (once, about a minute)…\n');
  const r = spawnSync(turbo, ['run', 'build', '--filter=@residual/cli', '--output-logs=errors-only'], {
    cwd: repo,
    stdio: ['ignore', 2, 2],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (r.status !== 0) process.stderr.write('residual: the build failed; run `npm run build` at the repository root to see why.\n');
}
if (!existsSync(built)) {
  process.stderr.write(
    'residual: the CLI is not built (' + built + ' is missing).\n' +
      '  In the residual repository: npm run build   (or: npx turbo run build --filter=@residual/cli)\n' +
      '  Installed from npm: reinstall @residual/cli (its package ships dist/).\n',
  );
  process.exitCode = 1;
} else {
  require(built);
}
