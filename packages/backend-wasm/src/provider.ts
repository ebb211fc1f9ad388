import type { BackendProvider } from '@residual/tensor';
import { tf } from '@residual/tensor';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { applyThreadsFromEnv } from './threads';

/**
 * The provider `useBackend('wasm')` calls: registers tfjs-backend-wasm with tfjs-core.
 * Importing `@residual/backend-wasm` registers it, so `useBackend('wasm')` works in bundles too;
 * call this yourself only to re-register it.
 * @example
 * ```ts
 * import { registerBackendProvider, useBackend } from '@residual/tensor';
 * import { wasmBackendProvider } from '@residual/backend-wasm';
 * registerBackendProvider('wasm', wasmBackendProvider());
 * await useBackend('wasm');
 * ```
 */
export function wasmBackendProvider(): BackendProvider {
  return {
    tfName: 'wasm',
    async load() {
      // tfjs-backend-wasm registers itself on import; nothing else to start until setBackend.
      void wasm;
      // RESIDUAL_WASM_THREADS=n|auto selects the threaded build in Node (see THREADS.md).
      await applyThreadsFromEnv();
    },
    info() {
      return { threads: tf.getBackend() === 'wasm' ? wasm.getThreadsCount() : 1 };
    },
  };
}
