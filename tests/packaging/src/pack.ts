import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../../..');

/** Workspace folder of a package, e.g. `nn` → packages/nn. */
export function packageDir(name: string): string {
  return join(REPO, 'packages', name);
}

/** The @residual packages `name` depends on at runtime, transitively, including itself. */
export function closure(name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const pkg = JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8'));
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (dep.startsWith('@residual/')) closure(dep.slice('@residual/'.length), seen);
  }
  return [...seen];
}

/** `npm pack` a built package into `dest`; returns the tarball path. */
export function pack(name: string, dest: string): string {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
    cwd: packageDir(name),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!info.files.some((f) => f.path.startsWith('dist/'))) {
    throw new Error(`${name}: tarball has no dist/ — build before packing`);
  }
  return join(dest, info.filename);
}

/**
 * Make an empty project outside the workspace, install the tarballs there (no workspace links:
 * npm resolves everything else from the registry), and return its folder.
 */
export function installIntoEmptyProject(tarballs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'residual-smoke-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'smoke', version: '1.0.0', private: true }));
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
  return dir;
}

/** Run a script file in the project with plain node and return its stdout. */
export function runIn(dir: string, file: string, source: string): string {
  const path = join(dir, file);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, source);
  return execFileSync(process.execPath, [path], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
