import type { KernelConfig, KernelFunc, NamedTensorInfoMap, SumAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';
import { release, transpose } from './kernel-util';
import { replacingConfig, runStock } from './stock';

/**
 * float32 `Sum` and `Mean` accumulated in float64.
 *
 * tfjs-backend-wasm 4.22 sums with a float32 accumulator, element after element: over the 8·32·32
 * values a batch norm of a CIFAR batch reduces, its relative error reaches a few 1e-6 (PyTorch's
 * cascade sum and tfjs's cpu kernel, which accumulates in JS doubles, stay near 1e-7). Batch-norm
 * statistics and their gradients feed ReLUs, and a pre-activation within a few 1e-6 of zero then
 * changes sign: ResNet-20 at batch 8 × 32×32 got gradients 6e-3 (of scale) away from PyTorch from
 * one such flip. Accumulating in float64 and rounding once makes the result the correctly rounded
 * float32 sum for any practical size, as on the cpu backend.
 *
 * Reductions over one contiguous block of axes (batch norm's [N, H, W] of NHWC, a global average pool's
 * [H, W]) run in place without the transpose the stock kernels make, in the same order of additions; others
 * transpose the reduced axes innermost first, like the stock kernels.
 */
function reduce(
  kernel: 'Sum' | 'Mean',
  args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: SumAttrs },
): TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return runStock(kernel === 'Sum' ? tf.Sum : tf.Mean, args as never);
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape);
  const [outShape, reduceShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
  const reduceSize = tf.util.sizeFromShape(reduceShape);
  const finalShape = attrs.keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  const outSize = tf.util.sizeFromShape(outShape);
  const sorted = [...axes].sort((a, b) => a - b);
  // Reduced axes that are one contiguous block [a, b] (batch norm's [N, H, W], a global average pool's
  // [H, W]) make x an [outer, reduceSize, inner] array, reduced in place; others are transposed innermost.
  const contiguous = sorted.every((a, i) => a === sorted[0] + i);
  let input = x;
  if (!contiguous) input = transpose(backend, x, tf.backend_util.getAxesPermutation(axes, rank) as number[]);
  const inner = contiguous && sorted.length > 0 ? tf.util.sizeFromShape(x.shape.slice(sorted[sorted.length - 1] + 1)) : 1;
  const outer = outSize / inner;
  const out = backend.makeOutput(finalShape, 'float32');
  // Views taken after makeOutput: allocating may grow (and detach) the wasm heap.
  const src = backend.typedArrayFromHeap(input) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  if (reduceSize === 0) {
    dst.fill(0); // as the cpu kernel (and tf.mean's own gradient) do
  } else if (inner > 1) {
    // One float64 accumulator per output of this outer index, rows added in order.
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      acc.fill(0);
      for (let r = 0, base = o * reduceSize * inner; r < reduceSize; r++, base += inner) {
        for (let j = 0; j < inner; j++) acc[j] += src[base + j];
      }
      for (let j = 0; j < inner; j++) dst[o * inner + j] = kernel === 'Mean' ? acc[j] / reduceSize : acc[j];
    }
  } else {
    // src is [outSize, reduceSize].
    for (let i = 0, base = 0; i < outSize; i++, base += reduceSize) {
      let s = 0;
      for (let k = 0; k < reduceSize; k++) s += src[base + k];
      dst[i] = kernel === 'Mean' ? s / reduceSize : s;
    }
  }
  if (input !== x) release(backend, input);
  return out;
}

export function sum(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: SumAttrs }): TensorInfo {
  return reduce('Sum', args);
}

export function mean(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: SumAttrs }): TensorInfo {
  return reduce('Mean', args);
}

/** Kernel configs for `tf.registerKernel`; `registerAllKernels()` swaps them in for the stock ones. */
export const sumConfig: KernelConfig = replacingConfig(tf.Sum, sum as unknown as KernelFunc);
export const meanConfig: KernelConfig = replacingConfig(tf.Mean, mean as unknown as KernelFunc);
