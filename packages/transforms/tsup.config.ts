import { defineConfig } from 'tsup';

export default defineConfig({
  // `tensor` is a separate entry so that the main entry (uint8 path, worker-safe) never imports tfjs.
  entry: { index: 'src/index.ts', tensor: 'src/tensor.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'es2022',
  external: [/^@tensorflow\//, /^@residual\//],
});
