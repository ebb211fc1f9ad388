import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkSegment, variantKey } from './ids';

/** What `sweep.json` in a sweep's folder records: enough to say which runs a report should find. */
export interface SweepManifest {
  sweep: string;
  recipe: string;
  hash: string;
  queue: string;
  submitted: string;
  overrides: Record<string, number>;
  runs: Array<{ id: string; variant: string | null; seed: number }>;
}

/** Write `text` to `file` through a temporary file and a rename: a crash leaves the old file or the new one. */
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`@residual/sweep: cannot write ${file}: ${(e as Error).message}`);
  }
}

/**
 * The shared run store: a folder every worker and the submitter can reach (NFS, SMB, a bind mount).
 * Runs live at `<root>/<sweep>/<variant>/seed-<n>/`, each an ordinary `residual train` output folder
 * (checkpoints, history, report, final weights). Every name segment is checked, so a job can never
 * point a worker outside the store.
 *
 * @example
 * ```ts
 * import { RunStore } from '@residual/sweep';
 * const store = new RunStore('/mnt/shared/sweeps');
 * store.runDir('cifar10-resnet-vs-plain-0123456789ab', 'resnet20-A', 0); // '/mnt/shared/sweeps/cifar10-resnet-vs-plain-0123456789ab/resnet20-A/seed-0'
 * ```
 */
export class RunStore {
  readonly root: string;

  constructor(root: string) {
    if (!root) throw new Error('@residual/sweep: the run store needs a folder');
    this.root = resolve(root);
  }

  /** Fails unless the store's folder exists (or can be made) and is a folder. */
  ensure(): this {
    try {
      mkdirSync(this.root, { recursive: true });
    } catch (e) {
      throw new Error(`@residual/sweep: cannot create the run store ${this.root}: ${(e as Error).message}`);
    }
    if (!statSync(this.root).isDirectory()) throw new Error(`@residual/sweep: the run store ${this.root} is not a folder`);
    return this;
  }

  sweepDir(sweep: string): string {
    return join(this.root, checkSegment(sweep, 'sweep id'));
  }

  runDir(sweep: string, variant: string | null, seed: number): string {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`@residual/sweep: seed must be a non-negative integer, got ${seed}`);
    return join(this.sweepDir(sweep), variantKey(variant), `seed-${seed}`);
  }

  writeManifest(manifest: SweepManifest): string {
    const dir = this.sweepDir(manifest.sweep);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'sweep.json');
    writeAtomic(file, JSON.stringify(manifest, null, 2) + '\n');
    return file;
  }

  readManifest(sweep: string): SweepManifest | null {
    const file = join(this.sweepDir(sweep), 'sweep.json');
    if (!existsSync(file)) return null;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as SweepManifest;
    } catch (e) {
      throw new Error(`@residual/sweep: ${file} is not valid JSON (${(e as Error).message})`);
    }
  }

  /** The sweeps in the store: its folders that hold a `sweep.json`. */
  sweeps(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(this.root, d.name, 'sweep.json')))
      .map((d) => d.name)
      .sort();
  }
}
