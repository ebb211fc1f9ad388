import type { KernelConfig, KernelFunc, PadV2Attrs, TensorInfo } from '@tensorflow/tfjs-core';
import { reshapeInfo, runStock } from './stock';

/**
 * Merge the dimensions of a pad so that it has as few as possible: a dimension with no padding folds
 * into the one before it (its size multiplies that dimension's size and padding), and a size-1
 * dimension without padding disappears. Padding a rank-6 tensor `[n, oh, 1, ow, 1, c]` to
 * `[n, oh, sh, ow, sw, c]` (the gradient of the option-A shortcut's subsample) becomes a rank-3 pad
 * of `[n·oh, ow, c]`, with the same bytes in the same order.
 */
export function mergePadDims(shape: readonly number[], paddings: ReadonlyArray<readonly [number, number]>): {
  shape: number[];
  paddings: Array<[number, number]>;
} {
  const outShape: number[] = [];
  const outPads: Array<[number, number]> = [];
  for (let d = 0; d < shape.length; d++) {
    const [before, after] = paddings[d];
    const last = outShape.length - 1;
    if (before === 0 && after === 0 && last >= 0) {
      outShape[last] *= shape[d];
      outPads[last] = [outPads[last][0] * shape[d], outPads[last][1] * shape[d]];
    } else {
      outShape.push(shape[d]);
      outPads.push([before, after]);
    }
  }
  if (outShape.length === 0) return { shape: [1], paddings: [[0, 0]] };
  return { shape: outShape, paddings: outPads };
}

// tfjs-backend-webgpu 4.22's Pad program declares its coordinates as `vecN` for the tensor's rank,
// and WGSL has no vec5/vec6: a rank-5 or rank-6 pad compiles to an invalid shader and yields
// garbage (NaN losses for option-A ResNets). Padding depends only on the flat layout, so we pad
// the merged, lower-rank view instead; every rank then gives the stock kernel ≤ 4 dimensions
// whenever the padded dimensions are at most 4 (always so in the zoo).
const padV2: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const { paddings, constantValue } = attrs as unknown as PadV2Attrs;
  const pads = paddings as Array<[number, number]>;
  if (x.shape.length <= 4) return runStock('PadV2', { inputs, backend, attrs });
  const merged = mergePadDims(x.shape, pads);
  if (merged.shape.length > 4) {
    throw new Error(
      `@residual/backend-webgpu: PadV2 of rank ${x.shape.length} pads ${merged.shape.length} dimensions; ` +
        'tfjs-backend-webgpu supports at most 4 (pad fewer dimensions, or reshape first)',
    );
  }
  const outShape = x.shape.map((s, i) => s + pads[i][0] + pads[i][1]);
  const view = reshapeInfo(x, merged.shape, backend);
  const padded = runStock('PadV2', { inputs: { x: view }, backend, attrs: { paddings: merged.paddings, constantValue } as never });
  const out = reshapeInfo(padded, outShape, backend);
  const b = backend as unknown as { disposeData(dataId: object): void };
  b.disposeData(view.dataId);
  b.disposeData(padded.dataId);
  return out;
};

export const padV2Config: KernelConfig = { kernelName: 'PadV2', backendName: 'webgpu', kernelFunc: padV2 };
