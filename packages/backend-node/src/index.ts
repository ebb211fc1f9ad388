import { registerBackendProvider } from '@residual/tensor';
import { nodeBackendProvider } from './provider';

export { nodeBackendProvider, detectNodeBackends, NODE_BACKEND_HELP } from './provider';
export type { NodeBackendOptions, NodeBackendDetection } from './provider';

registerBackendProvider('node', nodeBackendProvider({ gpu: false }));
registerBackendProvider('node-gpu', nodeBackendProvider({ gpu: true }));
