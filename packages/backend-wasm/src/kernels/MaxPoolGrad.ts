import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import { replacingConfig, runStock } from './stock';

/**
 * Gradient of `maxPool`: each dy value goes to the first maximum of its window (row-major scan,
 * strict `>`, so ties, NaNs and all-−∞ windows behave exactly as in tfjs's cpu kernel).
 *
 * tfjs-backend-wasm 4.22's MaxPoolGrad rescans every window once per input pixel (≈40× the forward
 * pool on a ResNet stem); this makes one pass over the windows, all channels of a pixel at a time.
 */
export function maxPoolGrad(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: MaxPoolGradAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  if (input.dtype !== 'float32' || dy.dtype !== 'float32' || input.shape.length !== 4) {
    return runStock(tf.MaxPoolGrad, args as never);
  }
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== info.outShape[i])) {
    throw new Error(
      `@residual/backend-wasm (kernels/MaxPoolGrad.ts): dy has shape [${dy.shape}] but the pool's output shape is [${info.outShape}]`,
    );
  }
  const out = backend.makeOutput(input.shape, 'float32');
  // Views taken after makeOutput: allocating may grow (and detach) the wasm heap.
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const { top, left } = info.padInfo;
  const maxVal = new Float32Array(c);
  const maxIdx = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let yr = 0; yr < ho; yr++) {
      const r0 = yr * info.strideHeight - top;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(h, r0 + fh);
      for (let yc = 0; yc < wo; yc++) {
        const c0 = yc * info.strideWidth - left;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(w, c0 + fw);
        maxVal.fill(-Infinity);
        maxIdx.fill(-1);
        for (let r = rMin; r < rMax; r++) {
          for (let col = cMin; col < cMax; col++) {
            const base = ((b * h + r) * w + col) * c;
            for (let d = 0; d < c; d++) {
              const v = x[base + d];
              if (v > maxVal[d]) {
                maxVal[d] = v;
                maxIdx[d] = base + d;
              }
            }
          }
        }
        const gBase = ((b * ho + yr) * wo + yc) * c;
        for (let d = 0; d < c; d++) {
          if (maxIdx[d] >= 0) dx[maxIdx[d]] += g[gBase + d];
        }
      }
    }
  }
  return out;
}

/** Kernel config for `tf.registerKernel`; `registerAllKernels()` swaps it in for the stock one. */
export const maxPoolGradConfig: KernelConfig = replacingConfig(tf.MaxPoolGrad, maxPoolGrad as unknown as KernelFunc);
