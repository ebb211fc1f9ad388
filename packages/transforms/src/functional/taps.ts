/** Resampling taps (source indices and weights per output pixel) computed as torch 1.13's CPU kernels do. */
import { f32 } from './util';

export interface Taps {
  /** first source index of each output */
  start: Int32Array;
  /** number of taps of each output */
  count: Int32Array;
  /** weights, `maxTaps` per output */
  weights: Float64Array;
  maxTaps: number;
}

/** Keys cubic with a = -0.5, the PIL/torch antialias kernel. */
function cubicAAFilter(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/**
 * torch's `_compute_weights_aa`: a filter stretched by the scale when downscaling, renormalised per output.
 * Evaluated in float32 step by step like torch, so that ties round the same way.
 */
export function antialiasTaps(inSize: number, outSize: number, kind: 'bilinear' | 'bicubic'): Taps {
  const interp = kind === 'bilinear' ? 2 : 4;
  const scale = f32(inSize / outSize);
  const support = scale >= 1 ? f32(interp * 0.5 * scale) : interp * 0.5;
  const invScale = scale >= 1 ? f32(1 / scale) : 1;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const center = f32(scale * (i + 0.5));
    const xmin = Math.max(Math.trunc(f32(f32(center - support) + 0.5)), 0);
    const xsize = Math.min(Math.trunc(f32(f32(center + support) + 0.5)), inSize) - xmin;
    let total = 0;
    for (let j = 0; j < xsize; j++) {
      const x = f32(f32(f32(j + xmin - center) + 0.5) * invScale);
      // the bilinear filter runs in float32, the bicubic one in double (its constants are doubles)
      const wgt = kind === 'bilinear' ? (Math.abs(x) < 1 ? f32(1 - Math.abs(x)) : 0) : f32(cubicAAFilter(x));
      weights[i * maxTaps + j] = wgt;
      total = f32(total + wgt);
    }
    if (total !== 0) for (let j = 0; j < xsize; j++) weights[i * maxTaps + j] = f32(weights[i * maxTaps + j] / total);
    start[i] = xmin;
    count[i] = xsize;
  }
  return { start, count, weights, maxTaps };
}

/** torch's `upsample_bilinear2d(align_corners=False)` source index and weights along one axis (float32). */
export function linearAxis(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; l0: Float32Array; l1: Float32Array } {
  const scale = f32(inSize / outSize);
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l0 = new Float32Array(outSize);
  const l1 = new Float32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    // torch's CPU kernel takes the float32 scale but computes the source index and lambdas in double
    let src = scale * (i + 0.5) - 0.5;
    if (src < 0) src = 0;
    const k = Math.trunc(src);
    const lambda = Math.min(Math.max(src - k, 0), 1);
    i0[i] = k;
    i1[i] = k < inSize - 1 ? k + 1 : k;
    l1[i] = lambda;
    l0[i] = 1 - lambda;
  }
  return { i0, i1, l0, l1 };
}


/** torch's `upsample_bicubic2d(align_corners=False)`: Keys cubic a = -0.75, border pixels replicated. */
export function cubicTaps(inSize: number, outSize: number): { index: Int32Array; weights: Float64Array } {
  const A = -0.75;
  const scale = f32(inSize / outSize);
  const index = new Int32Array(outSize * 4);
  const weights = new Float64Array(outSize * 4);
  // Keys' cubic convolution evaluated in float32, operation by operation
  const c1 = (x: number): number => f32(f32(f32(f32(f32((A + 2) * x) - (A + 3)) * x) * x) + 1);
  const c2 = (x: number): number => f32(f32(f32(f32(f32(f32(A * x) - 5 * A) * x) + 8 * A) * x) - 4 * A);
  for (let i = 0; i < outSize; i++) {
    // float32 scale, but the source index and its fraction in double (torch's index arithmetic)
    const src = scale * (i + 0.5) - 0.5;
    const i0 = Math.floor(src);
    const t = f32(src - i0);
    weights[i * 4] = c2(f32(t + 1));
    weights[i * 4 + 1] = c1(t);
    weights[i * 4 + 2] = c1(f32(1 - t));
    weights[i * 4 + 3] = c2(f32(2 - t));
    for (let k = 0; k < 4; k++) index[i * 4 + k] = Math.min(Math.max(i0 - 1 + k, 0), inSize - 1);
  }
  return { index, weights };
}

/** Express cubic taps (with clamped, possibly repeated indices) as a contiguous run with merged weights. */
export function cubicAsRun(inSize: number, outSize: number): Taps {
  const { index, weights } = cubicTaps(inSize, outSize);
  const maxTaps = 4;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const w = new Float64Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const s0 = index[i * 4];
    start[i] = s0;
    count[i] = index[i * 4 + 3] - s0 + 1;
    for (let k = 0; k < 4; k++) w[i * maxTaps + index[i * 4 + k] - s0] += weights[i * 4 + k];
  }
  return { start, count, weights: w, maxTaps };
}

export function axisTaps(inSize: number, outSize: number, mode: 'bilinear' | 'bicubic', antialias: boolean): Taps {
  return antialias ? antialiasTaps(inSize, outSize, mode) : cubicAsRun(inSize, outSize);
}

/** torch's `nearest` (legacy, not `nearest-exact`): src = min(floor(dst * float32(in / out)), in - 1). */
export function nearestIndex(inSize: number, outSize: number): Int32Array {
  const idx = new Int32Array(outSize);
  const scale = f32(inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    if (outSize === inSize) idx[i] = i;
    else if (outSize === 2 * inSize) idx[i] = i >> 1;
    else idx[i] = Math.min(Math.floor(f32(i * scale)), inSize - 1);
  }
  return idx;
}
