import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@residual/tensor';

/**
 * Runs another wasm kernel directly on `backend`, bypassing the engine: no tape entry, no
 * Tensor object, no bookkeeping. The caller owns the returned `TensorInfo` and must release it
 * with {@link release} (or return it as its own output).
 */
export function runWasmKernel(
  backend: BackendWasm,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = tf.getKernel(kernelName, 'wasm');
  if (!config) {
    throw new Error(`@residual/backend-wasm (kernels/kernel-util.ts): wasm kernel '${kernelName}' is not registered`);
  }
  const out = config.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) {
    throw new Error(`@residual/backend-wasm (kernels/kernel-util.ts): kernel '${kernelName}' returned several outputs`);
  }
  return out;
}

/** Releases intermediates made by {@link runWasmKernel}; `null`/`undefined` entries are skipped. */
export function release(backend: BackendWasm, ...infos: Array<TensorInfo | null | undefined>): void {
  for (const info of infos) if (info) backend.disposeData(info.dataId);
}

/** A reshape that shares `x`'s memory (the caller releases the result like any other intermediate). */
export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasmKernel(backend, 'Reshape', { x }, { shape });
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasmKernel(backend, 'Transpose', { x }, { perm });
}

/** XNNPACK convolution, NHWC input and HWIO filter, with explicit non-negative pads. */
export function conv2d(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  pads: { top: number; bottom: number; left: number; right: number },
  dilations: [number, number] = [1, 1],
): TensorInfo {
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [pads.top, pads.bottom],
    [pads.left, pads.right],
    [0, 0],
  ];
  return runWasmKernel(backend, 'Conv2D', { x, filter }, {
    strides: [1, 1],
    pad,
    dataFormat: 'NHWC',
    dilations,
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap);
}

/**
 * 2-D matrix product a·b through XNNPACK-backed BatchMatMul, returned as a rank-2 tensor. Neither
 * operand may be transposed: tfjs-backend-wasm 4.22 computes transposed operands with a slow scalar
 * loop (20-30× slower), so callers transpose explicitly, which is cheap by comparison.
 */
export function matMul2d(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  const out = runWasmKernel(backend, 'BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  const shaped = reshape(backend, out, out.shape.slice(-2));
  release(backend, out);
  return shaped;
}

/** Slices `x` to `size` starting at `begin`; returns `x` itself (no copy) when nothing is cut. */
export function cropIfNeeded(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  if (begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i])) return x;
  const out = runWasmKernel(backend, 'Slice', { x }, { begin, size });
  release(backend, x);
  return out;
}

/** Throws a clear error unless the tensor is float32 (XNNPACK kernels only compute in float32). */
export function assertFloat32(kernel: string, name: string, t: TensorInfo): void {
  if (t.dtype !== 'float32') {
    throw new Error(`@residual/backend-wasm (kernels/${kernel}.ts): ${kernel} needs float32 '${name}', got ${t.dtype}`);
  }
}
