import { packageConfig } from '../../tsup.base';

export default packageConfig({
  shims: true,
  // The worker is a separate ESM entry (dist/worker.mjs) that piscina loads in each thread; it bundles
  // @residual/random (pure JS) so workers never load TensorFlow.js.
  entry: { index: 'src/index.ts', worker: 'src/loader/worker.ts' },
  dts: { entry: { index: 'src/index.ts' } },
  external: [/^@tensorflow\//, /^@residual\/(?!random$)/],
  noExternal: ['@residual/random'],
});
