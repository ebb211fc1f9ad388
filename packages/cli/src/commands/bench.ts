import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Command } from './command';
import { CliError } from '../util/errors';

const HELP = `Usage: residual bench [options passed to the benchmark harness]

Runs residual's benchmarks (training and inference of ResNets per backend next to PyTorch CPU, with
kernel profiles and JSON output). Everything after 'bench' goes to its command line; see
'residual bench -- --help' for its options. The harness lives in the residual repository (it needs
PyTorch and the repository's tools): clone it and run 'npm ci && npm run bench' there.
`;

/** Finds @residual/bench's executable from the working directory or from this package. */
function benchBin(): string {
  for (const base of [process.cwd(), __dirname]) {
    try {
      const req = createRequire(join(base, 'noop.js'));
      const pkgPath = req.resolve('@residual/bench/package.json');
      const pkg = req(pkgPath) as { bin?: string | Record<string, string> };
      const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin && Object.values(pkg.bin)[0];
      if (bin) return join(dirname(pkgPath), bin);
    } catch {
      // not installed from here
    }
  }
  throw new CliError(
    "the benchmark harness is part of the residual repository, not of the published CLI: clone the repository and run 'npm ci && npm run bench' there",
  );
}

export const benchCommand: Command = {
  help: HELP,
  async run(argv) {
    const bin = benchBin();
    const args = argv[0] === '--' ? argv.slice(1) : argv;
    const r = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
    if (r.error) throw new CliError(`cannot run ${bin}: ${r.error.message}`);
    return r.status ?? 1;
  },
};
