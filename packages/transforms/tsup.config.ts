import { packageConfig } from '../../tsup.base';

// `tensor` is a separate entry so that the main entry (uint8 path, worker-safe) never imports tfjs.
export default packageConfig({ entry: { index: 'src/index.ts', tensor: 'src/tensor.ts' } });
