#!/usr/bin/env bash
# The smoke set CI runs on the supported Node lines other than the newest LTS (which runs everything):
# packaging (tarballs into empty projects, browser bundles in Chromium), one short training run, the CLI.
# Run it with the `node` first on PATH: `PATH=/path/to/node24/bin:$PATH npm run test:smoke`.
# Needs a build (`npm run build`) and, for the browser bundle, Chromium (`apt-get install chromium`).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "smoke on node $(node --version)"
(cd tests/packaging && npx jest)
(cd packages/train && npx jest src/trainer/fit.test.ts)
(cd packages/cli && npx jest test/cli.test.ts)
