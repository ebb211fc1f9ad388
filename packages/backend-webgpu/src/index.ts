import { registerBackendProvider, type BackendProvider } from '@residual/tensor';
import { webgpuBackendProvider } from './provider';
import { registerAllKernels, replacedStockKernels, WEBGPU_FIXED_KERNELS } from './register-all-kernels';

export {
  webgpuBackendProvider,
  setWebGPUOptions,
  webgpuAdapter,
  describeAdapter,
  takeWebGPUErrors,
  assertNoWebGPUErrors,
  WebGPUSyncReadError,
} from './provider';
export type { WebGPUOptions } from './provider';
export { nodeGpu, getGpu, platformHelp, useSwiftShader, SWIFTSHADER_ICD_PATHS, LINUX_HELP, WebGPUSetupError } from './gpu';
export type { GpuLike, AdapterLike, AdapterInfoLike, DeviceLike } from './gpu';
export { registerAllKernels, replacedStockKernels, WEBGPU_FIXED_KERNELS };
export type { BackendProvider };

registerBackendProvider('webgpu', webgpuBackendProvider());
registerAllKernels();
