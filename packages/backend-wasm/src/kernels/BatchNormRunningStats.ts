import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BatchNormRunningStats, runningStatsWeights, tf, type BatchNormRunningStatsAttrs } from '@residual/tensor';
import { assertFloat32 } from './kernel-util';

const WHERE = '@residual/backend-wasm (kernels/BatchNormRunningStats.ts)';

/**
 * `BatchNormRunningStats` (`@residual/tensor`): the running mean, unbiased running variance and batch
 * counter of a training-mode batch norm in one pass over its C channels, in JS on the heap (C is at most a
 * few thousand; a native call would cost more than the loop). Each value is rounded to float32 after
 * every operation, as the op chain's kernels do, so the results are the chain's bits.
 */
export function batchNormRunningStats(args: {
  inputs: NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: BatchNormRunningStatsAttrs;
}): TensorInfo[] {
  const { backend, attrs } = args;
  const { runningMean, runningVar, mean, variance, numBatchesTracked } = args.inputs as Record<string, TensorInfo>;
  for (const [name, t] of Object.entries({ runningMean, runningVar, mean, variance })) assertFloat32('BatchNormRunningStats', name, t);
  const c = tf.util.sizeFromShape(runningMean.shape);
  for (const [name, t] of Object.entries({ runningVar, mean, variance })) {
    if (tf.util.sizeFromShape(t.shape) !== c) {
      throw new Error(`${WHERE}: '${name}' has ${tf.util.sizeFromShape(t.shape)} values, runningMean ${c}`);
    }
  }
  if (numBatchesTracked.dtype !== 'int32' || tf.util.sizeFromShape(numBatchesTracked.shape) !== 1) {
    throw new Error(`${WHERE}: 'numBatchesTracked' must be one int32, got ${numBatchesTracked.dtype} [${numBatchesTracked.shape}]`);
  }
  if (!(attrs.count > 1)) throw new Error(`${WHERE}: count must be more than 1 value per channel, got ${attrs.count}`);
  // Outputs first: allocating may grow the heap and detach views taken before.
  const outMean = backend.makeOutput(runningMean.shape, 'float32');
  const outVar = backend.makeOutput(runningVar.shape, 'float32');
  const outCount = backend.makeOutput(numBatchesTracked.shape, 'int32');
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t);
  const tracked = (view(numBatchesTracked) as Int32Array)[0];
  const [keep, take, unbias] = runningStatsWeights(attrs, tracked);
  const [rm, rv, m, v] = [runningMean, runningVar, mean, variance].map(view) as Float32Array[];
  const [om, ov] = [outMean, outVar].map(view) as Float32Array[];
  const f = Math.fround;
  for (let i = 0; i < c; i++) {
    om[i] = f(f(rm[i] * keep) + f(m[i] * take));
    ov[i] = f(f(rv[i] * keep) + f(f(v[i] * unbias) * take));
  }
  (view(outCount) as Int32Array)[0] = tracked + 1;
  return [outMean, outVar, outCount];
}

/** Kernel config for `tf.registerKernel`; registered by `registerAllKernels()`. */
export const batchNormRunningStatsConfig: KernelConfig = {
  kernelName: BatchNormRunningStats,
  backendName: 'wasm',
  kernelFunc: batchNormRunningStats as unknown as KernelFunc,
};
