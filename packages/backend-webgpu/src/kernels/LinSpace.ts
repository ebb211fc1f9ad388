import type { KernelConfig, KernelFunc, LinSpaceAttrs } from '@tensorflow/tfjs-core';
import { runStock } from './stock';

// tfjs-backend-webgpu 4.22 computes element i as start + i·step with step = (stop − start)/(num − 1):
// for num = 1 that is start + 0·∞ = NaN, where every other backend (and NumPy, PyTorch) gives [start].
const linSpace: KernelFunc = ({ inputs, backend, attrs }) => {
  const { start, num } = attrs as unknown as LinSpaceAttrs;
  if (num === 1) {
    const b = backend as unknown as { makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): ReturnType<KernelFunc> };
    return b.makeTensorInfo([1], 'float32', Float32Array.of(start));
  }
  return runStock('LinSpace', { inputs, backend, attrs });
};

export const linSpaceConfig: KernelConfig = { kernelName: 'LinSpace', backendName: 'webgpu', kernelFunc: linSpace };
