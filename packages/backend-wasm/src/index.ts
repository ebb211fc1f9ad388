import { registerBackendProvider, type BackendProvider } from '@residual/tensor';
import { wasmBackendProvider } from './provider';
import { registerAllKernels, replacedStockKernels, WASM_TRAINING_KERNELS } from './register-all-kernels';

export { wasmBackendProvider, registerAllKernels, replacedStockKernels, WASM_TRAINING_KERNELS };
export type { BackendProvider };
export { setThreadsCount, getThreadsCount, threadsFromEnv, applyThreadsFromEnv } from './threads';

registerBackendProvider('wasm', wasmBackendProvider());
registerAllKernels();
