import { packageConfig } from '../../tsup.base';

export default packageConfig({
  shims: true,
  entry: ['src/index.ts', 'src/cli.ts'],
});
