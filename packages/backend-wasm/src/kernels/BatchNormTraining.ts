import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BatchNormTraining, BatchNormTrainingGrad, type BatchNormTrainingAttrs } from '@residual/tensor';
import { assertFloat32 } from './kernel-util';
import { backendMemory, nativeRuntime, runSplit } from './native/runtime';

// Sums split across threads by chunks of pixels that the native side fixes from the sizes alone (each
// chunk summed by one thread, the chunks added in order); the elementwise passes by pixels, and only with
// this many pixels per thread.
const MIN_PIXELS_PER_THREAD = 1024;

/**
 * Training-mode batch norm in two passes over x (native/batch_norm.c): per-channel sum and sum of
 * squares in float64, then y = (x − mean)·γ/√(var + ε) + β, plus the optional `residual` input and then
 * a ReLU when `attrs.relu`, in the same pass. Outputs `[y, mean, variance]`, and with a ReLU a fourth,
 * `reluMask`, which the backward passes read instead of y:
 * - after a residual, the top 16 bits of each value's gradient factor (1, 0, or NaN), two to an int32: half
 *   y's bytes, and one shift instead of three compares and selects;
 * - without one, only β's C values (as int32 bits): the backward, which reads x anyway, recomputes
 *   (x − mean)·γ/√(var + ε) + β in the same float32 operations, so the mask costs no pass at all. (A residual
 *   would have to be read again for that, twice the bytes of the 16-bit mask.)
 */
export function batchNormTraining(args: {
  inputs: NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: BatchNormTrainingAttrs;
}): TensorInfo[] {
  const { backend, attrs } = args;
  const { x, scale, offset, residual } = args.inputs as Record<'x' | 'scale' | 'offset', TensorInfo> & {
    residual?: TensorInfo;
  };
  const { p, c } = layout('BatchNormTraining', x, { scale, offset });
  if (residual) sameShape('BatchNormTraining', 'residual', residual, x);
  const rt = nativeRuntime(backend);
  const y = backend.makeOutput(x.shape, 'float32');
  const mean = backend.makeOutput([c], 'float32');
  const variance = backend.makeOutput([c], 'float32');
  const recompute = attrs.relu === true && !residual;
  const mask = attrs.relu ? backend.makeOutput([recompute ? c : maskSize(p, c)], 'int32') : null;
  const [xp, yp, mp, vp, sp, op] = [x, y, mean, variance, scale, offset].map((t) => rt.offset(t.dataId));
  const rp = residual ? rt.offset(residual.dataId) : 0;
  const mkp = mask && !recompute ? rt.offset(mask.dataId) : 0;
  const relu = attrs.relu ? 1 : 0;
  const chunk = rt.exports.bn_chunk(p);
  const chunks = Math.ceil(p / chunk);
  const scratch = rt.malloc(8 * 2 * c * chunks + 4 * c);
  try {
    const k = scratch + 16 * c * chunks;
    runSplit(rt, 'bn_sums_chunks', chunks, Infinity, (k0, k1) => [xp, 0, 0, 0, 0, 0, 0, 0, p, c, chunk, k0, k1, scratch]);
    rt.exports.bn_sums_total(scratch, chunks, c);
    rt.exports.bn_moments(scratch, p, c, mp, vp);
    rt.exports.bn_factor(vp, sp, attrs.epsilon, c, k);
    runSplit(rt, 'bn_normalize', p, Math.floor(p / MIN_PIXELS_PER_THREAD), (p0, p1) => [xp, yp, mp, k, op, rp, relu, mkp, p0, p1, c]);
    if (mask && recompute) new Uint8Array(backendMemory(backend).buffer).copyWithin(rt.offset(mask.dataId), op, op + 4 * c);
  } finally {
    rt.free(scratch);
  }
  return mask ? [y, mean, variance, mask] : [y, mean, variance];
}

/**
 * Backward pass of {@link batchNormTraining} in two passes: per-channel Σdy and Σdy·(x − mean) in
 * float64, then dx = K·dy + A·(x − mean) + B. With the input `y` (the forward's output, when it ended in a
 * ReLU) dy is masked by the ReLU's gradient in both passes, from the forward's `reluMask` when that is
 * given too (see {@link batchNormTraining}: bits after a residual, else recomputed from x); with
 * `attrs.residual` the masked dy is also the fourth output, the residual's gradient.
 * Outputs `[dx, dScale, dOffset]` (`, dResidual]`).
 */
export function batchNormTrainingGrad(args: {
  inputs: NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: BatchNormTrainingAttrs;
}): TensorInfo[] {
  const { backend, attrs } = args;
  const { dy, x, mean, variance, scale, y, reluMask } = args.inputs as Record<'dy' | 'x' | 'mean' | 'variance' | 'scale', TensorInfo> & {
    y?: TensorInfo;
    reluMask?: TensorInfo;
  };
  const { p, c } = layout('BatchNormTrainingGrad', x, { mean, variance, scale });
  sameShape('BatchNormTrainingGrad', 'dy', dy, x);
  if (y) sameShape('BatchNormTrainingGrad', 'y', y, x);
  if (attrs.residual && !y) {
    throw new Error('@residual/backend-wasm (kernels/BatchNormTraining.ts): a residual gradient needs the ReLU output y');
  }
  // The forward's mask: bits after a residual, else its offset, for the mask recomputed from x.
  const recompute = reluMask !== undefined && !attrs.residual;
  const size = recompute ? c : maskSize(p, c);
  if (reluMask && (!y || reluMask.dtype !== 'int32' || reluMask.shape.reduce((a, b) => a * b, 1) !== size)) {
    throw new Error(
      `@residual/backend-wasm (kernels/BatchNormTraining.ts): 'reluMask' must be the forward's (int32 [${size}], with y), got ${reluMask.dtype} [${reluMask.shape}]`,
    );
  }
  const rt = nativeRuntime(backend);
  const dx = backend.makeOutput(x.shape, 'float32');
  const dScale = backend.makeOutput([c], 'float32');
  const dOffset = backend.makeOutput([c], 'float32');
  const dResidual = attrs.residual ? backend.makeOutput(x.shape, 'float32') : null;
  const [dyp, xp, mp, vp, sp, dxp, dsp, dop] = [dy, x, mean, variance, scale, dx, dScale, dOffset].map((t) =>
    rt.offset(t.dataId),
  );
  const yp = y ? rt.offset(y.dataId) : 0;
  const mkp = reluMask && !recompute ? rt.offset(reluMask.dataId) : 0;
  const orp = reluMask && recompute ? rt.offset(reluMask.dataId) : 0;
  const dzp = dResidual ? rt.offset(dResidual.dataId) : 0;
  // With a residual the first pass writes the masked dy, and the second reads it unmasked; without one, the
  // second pass masks dy again (recomputing the mask, or one read of it, is cheaper than writing and reading
  // the masked dy).
  const chunk = rt.exports.bn_chunk(p);
  const chunks = Math.ceil(p / chunk);
  const scratch = rt.malloc(8 * 2 * c * chunks + 4 * 4 * c);
  try {
    const [kp, ap, bp, fp] = [0, 1, 2, 3].map((i) => scratch + 16 * c * chunks + 4 * c * i);
    // The forward's factor γ/√(var + ε) again, bit for bit, for the recomputed mask.
    const krp = recompute ? fp : 0;
    if (recompute) rt.exports.bn_factor(vp, sp, attrs.epsilon, c, krp);
    const [sy, smk] = recompute ? [0, 0] : [yp, mkp];
    const [dxIn, dxMask, dxBits, dxK, dxO] = dResidual ? [dzp, 0, 0, 0, 0] : [dyp, sy, smk, krp, orp];
    runSplit(rt, 'bn_sums_chunks', chunks, Infinity, (k0, k1) => [dyp, xp, sy, smk, dzp, mp, krp, orp, p, c, chunk, k0, k1, scratch]);
    rt.exports.bn_sums_total(scratch, chunks, c);
    rt.exports.bn_grad_coeffs(scratch, vp, sp, attrs.epsilon, p, c, dsp, dop, kp, ap, bp, mp, orp);
    runSplit(rt, 'bn_grad_dx', p, Math.floor(p / MIN_PIXELS_PER_THREAD), (p0, p1) => [dxIn, dxMask, dxBits, dxK, dxO, xp, mp, kp, ap, bp, p0, p1, c, dxp]);
  } finally {
    rt.free(scratch);
  }
  return dResidual ? [dx, dScale, dOffset, dResidual] : [dx, dScale, dOffset];
}

/** int32s of the ReLU mask: 16 bits a value. */
function maskSize(p: number, c: number): number {
  return Math.ceil((p * c) / 2);
}

function sameShape(kernel: string, name: string, t: TensorInfo, x: TensorInfo): void {
  assertFloat32(kernel, name, t);
  if (t.shape.length !== x.shape.length || t.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(`@residual/backend-wasm (kernels/BatchNormTraining.ts): ${kernel}: '${name}' has shape [${t.shape}], x [${x.shape}]`);
  }
}

function layout(kernel: string, x: TensorInfo, perChannel: Record<string, TensorInfo>): { p: number; c: number } {
  const where = `@residual/backend-wasm (kernels/BatchNormTraining.ts): ${kernel}`;
  assertFloat32(kernel, 'x', x);
  if (x.shape.length < 2) throw new Error(`${where} expects a channels-last tensor of rank ≥ 2, got [${x.shape}]`);
  const c = x.shape[x.shape.length - 1];
  const p = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (p < 1 || c < 1) throw new Error(`${where}: empty input of shape [${x.shape}]`);
  for (const [name, t] of Object.entries(perChannel)) {
    assertFloat32(kernel, name, t);
    if (t.shape.length !== 1 || t.shape[0] !== c) {
      throw new Error(`${where}: '${name}' must have shape [${c}], got [${t.shape}]`);
    }
  }
  return { p, c };
}

/** Kernel configs for `tf.registerKernel`; registered by `registerAllKernels()`. */
export const batchNormTrainingConfig: KernelConfig = {
  kernelName: BatchNormTraining,
  backendName: 'wasm',
  kernelFunc: batchNormTraining as unknown as KernelFunc,
};
export const batchNormTrainingGradConfig: KernelConfig = {
  kernelName: BatchNormTrainingGrad,
  backendName: 'wasm',
  kernelFunc: batchNormTrainingGrad as unknown as KernelFunc,
};
