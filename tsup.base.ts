import { defineConfig, type Options } from 'tsup';

/**
 * The build every package shares: ESM + CJS + .d.ts from `src/index.ts`, with tfjs and sibling
 * packages left external (one tfjs-core instance, one copy of each @residual package).
 * A package passes only what differs (extra entries, extra externals).
 */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    // No __dirname/import.meta shims by default: tsup's ESM shim imports 'path' and 'url' at load time,
    // which breaks browser bundles. Node-only packages (cli, datasets, bench, backend-node) turn them on.
    shims: false,
    // Keep class names (`BasicBlock`, not `_BasicBlock`): they appear in toString() and error messages.
    keepNames: true,
    target: 'es2022',
    external: [/^@tensorflow\//, /^@residual\//],
    ...overrides,
  });
}
