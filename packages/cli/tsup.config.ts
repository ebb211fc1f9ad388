import { defineConfig } from 'tsup';

export default defineConfig({
  // bin.ts is the `residual` executable (tsup keeps its shebang and marks it executable).
  // recipe-transform.ts is imported by the data loader's worker threads (train --workers N).
  entry: ['src/index.ts', 'src/bin.ts', 'src/recipe-transform.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'es2022',
  external: [/^@tensorflow\//, /^@residual\//, 'sharp', 'playwright-core'],
});
