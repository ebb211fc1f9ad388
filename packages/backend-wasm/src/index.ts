import { registerBackendProvider, type BackendProvider } from '@residual/tensor';
import { wasmBackendProvider } from './provider';
import { registerAllKernels, WASM_TRAINING_KERNELS } from './register_all_kernels';

export { wasmBackendProvider, registerAllKernels, WASM_TRAINING_KERNELS };
export type { BackendProvider };

registerBackendProvider('wasm', wasmBackendProvider());
registerAllKernels();
