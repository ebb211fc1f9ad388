import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker is a separate ESM entry (dist/worker.mjs) that piscina loads in each thread; it bundles
  // @residual/random (pure JS) so workers never load TensorFlow.js.
  entry: { index: 'src/index.ts', worker: 'src/loader/worker.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'es2022',
  external: [/^@tensorflow\//, /^@residual\/(?!random$)/],
  noExternal: ['@residual/random'],
});
