import { packageConfig } from '../../tsup.base';

export default packageConfig({
  shims: true,
  // bin.ts is the `residual` executable (tsup keeps its shebang and marks it executable).
  entry: ['src/index.ts', 'src/bin.ts'],
  dts: { entry: 'src/index.ts' },
  external: [/^@tensorflow\//, /^@residual\//, 'sharp', 'playwright-core'],
});
