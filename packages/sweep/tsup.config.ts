import { packageConfig } from '../../tsup.base';

// `testing` is a separate entry: the Redis test server helper stays out of the main bundle.
export default packageConfig({ entry: { index: 'src/index.ts', testing: 'src/testing.ts' } });
