import { registerBackendProvider, type BackendProvider } from '@residual/tensor';
import { wasmBackendProvider } from './provider';

export { wasmBackendProvider };
export type { BackendProvider };

registerBackendProvider('wasm', wasmBackendProvider());
