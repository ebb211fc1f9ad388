import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf, ResidualConv2D, type ResidualConv2DAttrs } from '@residual/tensor';
import { convGeometry, type ConvGeometry } from './conv-geometry';
import { release, runWasmKernel } from './kernel-util';
import { nativeRuntime, runSplit, type NativeRuntime } from './native/runtime';
import { replacingConfig, runStock } from './stock';

type ConvAttrs = NamedAttrMap & {
  strides: number | [number, number];
  pad: unknown;
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
};

/**
 * Forward `Conv2D` and `FusedConv2D` (bias, ReLU) by our own direct convolution (native/conv2d.c): 4-pixel
 * × 8-channel register tiles over the flattened output pixels (an offset table, no im2col), the filter's
 * 8-channel blocks packed once per call, output rows split across threads. On this 2-core box it runs
 * 1.2–1.4× XNNPACK's convolution in tfjs-backend-wasm 4.22 (docs/performance.md). Everything else (NCHW, dilations, other activations, PReLU weights, non-float32)
 * goes to the stock kernel.
 */
function conv(kernel: 'Conv2D' | 'FusedConv2D', args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: ConvAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
  const activation = attrs.activation ?? 'linear';
  const dil = attrs.dilations ?? 1;
  const supported =
    x !== undefined &&
    filter !== undefined &&
    x.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    x.shape.length === 4 &&
    filter.shape.length === 4 &&
    (attrs.dataFormat ?? 'NHWC') === 'NHWC' &&
    (Array.isArray(dil) ? dil.every((d) => d === 1) : dil === 1) &&
    (activation === 'linear' || activation === 'relu') &&
    !preluActivationWeights &&
    (!bias || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === filter.shape[3] && bias.shape.length === 1));
  if (!supported) return runStock(kernel, args as never);
  const g = convGeometry(kernel, x.shape, filter.shape, attrs as never);
  return nativeConv(backend, x, filter, bias, activation === 'relu', g);
}

/** Output rows per thread below which the pool's hand-off costs more than it saves. */
const MIN_ROWS_PER_THREAD = 2;

/**
 * `ResidualConv2D` (`@residual/tensor`): act(conv(x, w) + bias + residual) with the residual added in the
 * convolution's epilogue, where a folded ResNet block would otherwise run a convolution, an `Add` and a
 * `Relu` (two extra passes over the block's output, on one thread). Shapes or dtypes our convolution does
 * not take run as those three stock kernels.
 */
function residualConv(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo {
  const { backend } = args;
  const attrs = args.attrs as unknown as ResidualConv2DAttrs;
  const { x, filter, bias, residual } = args.inputs as Record<string, TensorInfo | undefined>;
  if (!x || !filter || !residual) throw new Error('@residual/backend-wasm (kernels/Conv2D.ts): ResidualConv2D needs x, filter and residual');
  const convAttrs = {
    strides: attrs.strides,
    pad: attrs.pad,
    dataFormat: 'NHWC',
    dilations: 1,
    activation: 'linear',
    dimRoundingMode: attrs.dimRoundingMode,
  } as NamedAttrMap;
  const g = convGeometry('Conv2D', x.shape, filter.shape, convAttrs as never);
  const outShape = [g.n, g.ho, g.wo, g.co];
  if (residual.shape.length !== 4 || residual.shape.some((d, i) => d !== outShape[i])) {
    throw new Error(`@residual/backend-wasm (kernels/Conv2D.ts): ResidualConv2D residual has shape [${residual.shape.join(', ')}], the convolution gives [${outShape.join(', ')}]`);
  }
  const native =
    [x, filter, residual].every((t) => t.dtype === 'float32') &&
    (!bias || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === g.co));
  if (native) return nativeConv(backend, x, filter, bias, attrs.activation === 'relu', g, residual);
  const conv = runStock(tf.FusedConv2D, { inputs: bias ? { x, filter, bias } : { x, filter }, backend, attrs: convAttrs } as never);
  const sum = runWasmKernel(backend, 'Add', { a: conv, b: residual });
  release(backend, conv);
  if (attrs.activation !== 'relu') return sum;
  const out = runWasmKernel(backend, 'Relu', { x: sum });
  release(backend, sum);
  return out;
}

/**
 * Whether a convolution runs as Winograd (which one: {@link winogradTile}): 3×3, stride 1, output channels
 * in multiples of 8 and 16 to 256 input channels in multiples of 4. Measured on one thread against the
 * direct convolution (same process, interleaved), F(2×2, 3×3): 1.1× faster with 16 input channels, 1.5× with 32,
 * 1.7–2.0× with 64 to 256; with 8 the transforms cost more than they save, and with 512 (ResNet-50's 7×7,
 * where 15 of the 64 outputs its 2×2 tiles compute fall outside) it gained 1.16× while the error against
 * the direct sum grew to 7e-5 of the largest output. `RESIDUAL_WASM_WINOGRAD=0` turns it off (read once per process).
 */
export function useWinograd(g: ConvGeometry): boolean {
  if (winogradOff === undefined) winogradOff = typeof process !== 'undefined' && process.env?.RESIDUAL_WASM_WINOGRAD === '0';
  return !winogradOff && g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 && g.ci % 4 === 0 && g.ci >= 16 && g.ci <= 256 && g.co % 8 === 0;
}
let winogradOff: boolean | undefined;

/**
 * The output tile of the convolution's Winograd algorithm: 4 for F(4x4, 3x3) (native/winograd4.c), 2 for
 * F(2x2, 3x3), 0 for the direct convolution. F(4x4, 3x3) takes up to 128 input channels and outputs of at
 * least 8x8. Measured on 2 threads against F(2x2, 3x3) (two processes, one after the other; batch 128 CIFAR
 * stages, batch 16 ResNet-50 stages): 1.5-1.6x faster from 16 to 128 channels, with an error of 2e-6 to
 * 7e-6 of the largest output against a float64 sum (F(2x2, 3x3): 2e-7 to 4e-7); with 256 channels at 14x14
 * it gained 6 % for an error of 1.1e-5, and at 7x7 (a 4x4 tile a quarter outside) it was slower.
 * `RESIDUAL_WASM_WINOGRAD4=0` keeps F(2x2, 3x3) (read once per process).
 */
export function winogradTile(g: ConvGeometry): 0 | 2 | 4 {
  if (!useWinograd(g)) return 0;
  if (winograd4Off === undefined) winograd4Off = typeof process !== 'undefined' && process.env?.RESIDUAL_WASM_WINOGRAD4 === '0';
  return !winograd4Off && g.ci <= 128 && g.ho >= 8 && g.wo >= 8 ? 4 : 2;
}
let winograd4Off: boolean | undefined;

/** Rows and columns of the zero-padded input the direct convolution's taps read. */
function paddedSize(g: ConvGeometry): [number, number] {
  return [(g.ho - 1) * g.sh + g.kh, (g.wo - 1) * g.sw + g.kw];
}

/** `rt.malloc` that records each block in `blocks` (for the caller's `finally`) and throws when the heap is full. */
export function scratchAllocator(rt: NativeRuntime, blocks: number[], kernel: string): (bytes: number) => number {
  return (bytes) => {
    const p = rt.malloc(Math.max(4, bytes));
    if (p === 0) throw new Error(`@residual/backend-wasm (kernels/${kernel}.ts): out of wasm memory`);
    blocks.push(p);
    return p;
  };
}

/** x zero-padded to hp × wpad (conv_pad, rows split across threads); x itself when it already is exactly that. */
export function paddedInput(rt: NativeRuntime, xp: number, g: ConvGeometry, hp: number, wpad: number, alloc: (bytes: number) => number): number {
  if (g.padTop === 0 && g.padLeft === 0 && hp === g.h && wpad === g.w) return xp;
  const xin = alloc(4 * g.n * hp * wpad * g.ci);
  runSplit(rt, 'conv_pad', g.n * hp, Infinity, (r0, r1) => [xp, xin, r0, r1, g.h, g.w, g.ci, g.padTop, g.padLeft, hp, wpad]);
  return xin;
}

/** y = act(conv(x, w) + bias + residual) in NHWC; also used by the input-gradient kernel. */
export function nativeConv(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | undefined,
  relu: boolean,
  g: ConvGeometry,
  residual?: TensorInfo,
): TensorInfo {
  const rt = nativeRuntime(backend);
  const out = backend.makeOutput([g.n, g.ho, g.wo, g.co], 'float32');
  const rows = g.n * g.ho;
  if (rows * g.wo * g.co === 0) return out;
  const [xp, wp, yp] = [x, filter, out].map((t) => rt.offset(t.dataId));
  const bp = bias ? rt.offset(bias.dataId) : 0;
  const rp = residual ? rt.offset(residual.dataId) : 0;
  const taps = g.kh * g.kw * g.ci;
  const winograd = winogradTile(g);
  const scratch: number[] = [];
  const alloc = scratchAllocator(rt, scratch, 'Conv2D');
  try {
    if (winograd) {
      // The filter's (t+2)x(t+2) transforms (once per call), then each thread its t x t tiles with scratch of
      // its own: F(2x2, 3x3) in native/winograd.c, F(4x4, 3x3) in native/winograd4.c. They read x unpadded
      // (a border tile's patch is gathered with its zeros): a padded copy cost a pass over x and one over the
      // copy.
      const f4 = winograd === 4;
      const u = alloc(4 * (winograd + 2) ** 2 * g.ci * g.co);
      (f4 ? rt.exports.wg4_filter : rt.exports.wg_filter)(wp, u, g.ci, g.co);
      const tiles = g.n * Math.ceil(g.ho / winograd) * Math.ceil(g.wo / winograd);
      const perRange = (f4 ? rt.exports.wg4_scratch : rt.exports.wg_scratch)(g.ci);
      const ranges = rt.pool?.threads ?? 1;
      const scratchBase = alloc(perRange * ranges);
      // runSplit asks for each range's arguments once, in order: the k-th range gets the k-th scratch.
      let range = 0;
      runSplit(rt, f4 ? 'wg4_run' : 'wg_run', tiles, ranges, (t0, t1) => [
        xp, u, bp, rp, yp, scratchBase + perRange * range++, t0, t1, relu ? 1 : 0, g.h, g.w, g.padTop, g.padLeft, g.ci, g.ho, g.wo, g.co,
      ]);
      return out;
    }
    const [hp, wpad] = paddedSize(g);
    const xin = paddedInput(rt, xp, g, hp, wpad, alloc);
    // The filter's 8-channel blocks, repacked contiguously for the 4×8 tile (once per call).
    const packed = alloc(4 * taps * (g.co & ~7));
    rt.exports.conv_pack(wp, packed, taps, g.co);
    // Each output pixel's input offset (conv_run fills its own rows' entries).
    const offsets = alloc(4 * rows * g.wo);
    const geom = [hp, wpad, g.ci, g.ho, g.wo, g.co, g.kh, g.kw, g.sh, g.sw];
    const rowParts = Math.floor(rows / MIN_ROWS_PER_THREAD);
    runSplit(rt, 'conv_run', rows, rowParts, (r0, r1) => [xin, wp, packed, bp, rp, yp, offsets, r0, r1, relu ? 1 : 0, ...geom]);
  } finally {
    for (const p of scratch) rt.free(p);
  }
  return out;
}

/** Kernel configs for `tf.registerKernel` (the stock kernels' setup still runs for the fallback). */
export const conv2DConfig: KernelConfig = replacingConfig(tf.Conv2D, ((a: never) => conv('Conv2D', a)) as unknown as KernelFunc);
export const fusedConv2DConfig: KernelConfig = replacingConfig(tf.FusedConv2D, ((a: never) => conv('FusedConv2D', a)) as unknown as KernelFunc);
export const residualConv2DConfig: KernelConfig = {
  kernelName: ResidualConv2D,
  backendName: 'wasm',
  kernelFunc: residualConv as unknown as KernelFunc,
};
