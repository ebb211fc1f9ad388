// A newcomer's first commands: clone the repository, `npm ci`, then `npx residual --help` and
// `npx residual models` at the root — before anything was built (the bin shim builds the CLI once).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

describe('a fresh clone', () => {
  let dir: string;
  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'residual-clone-')), 'residual');
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, dir]);
    // The npm cache already holds every package (the outer `npm ci`); no registry round trips needed.
    execFileSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'pipe', timeout: 600_000 });
  }, 900_000);
  afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('runs `npx residual --help` and `npx residual models` right after `npm ci`', () => {
    const npx = (...args: string[]) => spawnSync('npx', ['--no-install', 'residual', ...args], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
    const help = npx('--help');
    expect(help.stderr).toMatch(/building the CLI/);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: residual <command>/);
    const models = npx('models');
    expect(models.status).toBe(0);
    expect(models.stdout).toMatch(/resnet20/);
    expect(models.stdout).toMatch(/resnet50/);
    expect(models.stderr).not.toMatch(/building/); // built once
  }, 900_000);
});
