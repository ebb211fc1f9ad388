import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './errors';

// What `residual train` writes into a run folder (and what a killed writer leaves: `*.tmp-<pid>`).
const RUN_ARTIFACT = /^(ckpt-\d+\.(json|safetensors)|best\.(json|safetensors)|model\.safetensors|recipe\.json|report\.(json|md)|history\.(jsonl|csv)|curves\.(svg|png))(\.tmp-\d+)?$/;

/**
 * Make `dir` ready for a training run. A folder that already holds files is refused unless the run
 * continues it (`resume`) or replaces it (`overwrite`): training into it would otherwise prune the new
 * run's checkpoints as "the oldest", keep the old run's, and a later `--resume` would continue the old
 * run. `overwrite` removes only what a run writes, and refuses a folder that holds anything else.
 */
export function prepareRunDir(dir: string, options: { resume: boolean; overwrite: boolean }): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new CliError(`--out ${dir} is a file, not a folder`);
  const entries = readdirSync(dir);
  if (entries.length === 0 || options.resume) return;
  if (!options.overwrite) {
    const shown = entries.slice(0, 4).join(', ') + (entries.length > 4 ? `, … (${entries.length} entries)` : '');
    throw new CliError(
      `--out ${dir} is not empty (${shown}); pass --resume to continue the run there, --overwrite to replace it, or choose another --out`,
    );
  }
  const foreign = entries.filter((e) => !RUN_ARTIFACT.test(e));
  if (foreign.length) {
    throw new CliError(
      `--overwrite: ${dir} holds files that are not a training run's (${foreign.slice(0, 4).join(', ')}); remove them yourself or choose another --out`,
    );
  }
  for (const e of entries) rmSync(join(dir, e), { force: true });
}
