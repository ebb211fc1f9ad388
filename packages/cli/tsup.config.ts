import { packageConfig } from '../../tsup.base';

export default packageConfig({
  shims: true,
  // bin.ts is the `residual` executable (tsup keeps its shebang and marks it executable).
  // recipe-transform.ts is imported by the data loader's worker threads (train --workers N).
  entry: ['src/index.ts', 'src/bin.ts', 'src/recipe-transform.ts'],
  dts: { entry: 'src/index.ts' },
  external: [/^@tensorflow\//, /^@residual\//, 'sharp', 'playwright-core'],
});
