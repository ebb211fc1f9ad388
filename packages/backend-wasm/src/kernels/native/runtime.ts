import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { NATIVE_WASM_BASE64 } from './binaries';

/** What native/*.c exports (pointers are byte offsets into tfjs-backend-wasm's heap). */
export interface NativeExports {
  /** Filter gradient: work items [i0, i1) of `fg_items(co, kh, kw)`, geometry N, H, W, Ci, Ho, Wo, Co, KH, KW, sh, sw, pt, pl. */
  fg_run(x: number, dy: number, dw: number, i0: number, i1: number, rowsPerUnit: number, ...geom: number[]): void;
  fg_items(co: number, kh: number, kw: number): number;
  /** Batch norm (native/batch_norm.c); float args are numbers, pointers byte offsets. */
  bn_factor(variance: number, scale: number, eps: number, c: number, k: number): void;
  bn_normalize(x: number, y: number, mean: number, k: number, offset: number, res: number, relu: number, mask: number, p0: number, p1: number, c: number): void;
  bn_chunk(p: number): number;
  bn_sums_chunks(a: number, b: number, y: number, mask: number, dz: number, mean: number, k: number, offset: number, p: number, c: number, chunk: number, k0: number, k1: number, acc: number): void;
  bn_sums_total(acc: number, chunks: number, c: number): void;
  bn_moments(acc: number, p: number, c: number, mean: number, variance: number): void;
  bn_grad_coeffs(...args: number[]): void;
  bn_grad_dx(...args: number[]): void;
  /** Forward convolution of output rows [r0, r1) (native/conv2d.c). */
  conv_run(...args: number[]): void;
  conv_pack(w: number, packed: number, taps: number, co: number): void;
  conv_pad(...args: number[]): void;
  /** One stride phase of a strided convolution's input gradient (native/conv2d.c). */
  dxp_run(...args: number[]): void;
  /** Winograd F(2x2, 3x3) (native/winograd.c). */
  wg_block(ci: number): number;
  wg_scratch(ci: number): number;
  wg_filter(w: number, u: number, ci: number, co: number): void;
  wg_run(...args: number[]): void;
  /** Winograd F(4x4, 3x3) (native/winograd4.c). */
  wg4_block(ci: number): number;
  wg4_scratch(ci: number): number;
  wg4_filter(w: number, u: number, ci: number, co: number): void;
  wg4_run(...args: number[]): void;
  /** Winograd F(3x3, 2x2) filter gradient (native/winograd_filter_grad.c). */
  wgf_block(ci: number, co: number): number;
  wgf_scratch(ci: number, co: number): number;
  wgf_chunks(tiles: number, ci: number, co: number): number;
  wgf_run(...args: number[]): void;
  wgf_finish(acc: number, dw: number, p: number, ci0: number, ci1: number, ci: number, co: number): void;
  /** Winograd F(3x3, 4x4) filter gradient (native/winograd4_filter_grad.c). */
  wgf4_block(ci: number, co: number): number;
  wgf4_scratch(ci: number, co: number): number;
  wgf4_chunks(tiles: number, ci: number, co: number): number;
  wgf4_run(...args: number[]): void;
  wgf4_finish(acc: number, dw: number, p: number, ci0: number, ci1: number, ci: number, co: number): void;
  /** Strided copies for Slice and PadV2 (native/copy.c). */
  copy_box(...args: number[]): void;
  pad_rows(...args: number[]): void;
  /** Elementwise passes (native/elementwise.c). */
  relu_grad(dy: number, x: number, dx: number, i0: number, i1: number): void;
  add_f32(a: number, b: number, out: number, i0: number, i1: number): void;
  sgd_step(...args: number[]): void;
}
/** The exports a {@link NativePool} can run on its threads (integer arguments only). */
export const NATIVE_POOL_OPS = ['conv_run', 'conv_pad', 'dxp_run', 'wg_run', 'wg4_run', 'wgf_run', 'wgf_finish', 'wgf4_run', 'wgf4_finish', 'fg_run', 'bn_sums_chunks', 'bn_normalize', 'bn_grad_dx', 'relu_grad', 'add_f32', 'copy_box', 'pad_rows'] as const;
export type NativeOp = (typeof NATIVE_POOL_OPS)[number];

/**
 * Runs native calls on extra threads while the calling thread runs its own share. Installed on a
 * backend by the Node threaded loader ({@link setNativePool}); absent means one thread.
 */
export interface NativePool {
  /** Threads including the caller. */
  readonly threads: number;
  /** Runs `calls[i]` on thread i (call 0 on the caller) and returns when all have finished. */
  runAll(calls: ReadonlyArray<readonly [NativeOp, readonly number[]]>): void;
}

interface EmscriptenModule {
  asm?: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/** Our kernels instantiated against one backend's heap. */
export interface NativeRuntime {
  readonly exports: NativeExports;
  readonly pool?: NativePool;
  malloc(bytes: number): number;
  free(ptr: number): void;
  /** Byte offset of a tensor's data in the heap. */
  offset(dataId: object): number;
}

const runtimes = new WeakMap<BackendWasm, NativeRuntime>();
const pools = new WeakMap<BackendWasm, NativePool>();
const modules: Partial<Record<keyof typeof NATIVE_WASM_BASE64, WebAssembly.Module>> = {};

function decodeBase64(s: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(s, 'base64'));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

let relaxed: boolean | undefined;

/**
 * Whether the kernels use the relaxed-SIMD build (fused multiply-adds in the convolutions): where
 * WebAssembly accepts it (Node 22+, Chrome 114+; Node 20 only behind --experimental-wasm-relaxed-simd),
 * unless `RESIDUAL_WASM_RELAXED_SIMD=0`. Decided once per process, so every thread runs the same build
 * and 1 and N threads still give the same bits.
 */
export function relaxedSimd(): boolean {
  if (relaxed === undefined) {
    const env = typeof process !== 'undefined' ? process.env?.RESIDUAL_WASM_RELAXED_SIMD : undefined;
    relaxed = env !== '0' && WebAssembly.validate(decodeBase64(NATIVE_WASM_BASE64.plainRelaxed) as BufferSource);
  }
  return relaxed;
}

/** The compiled module for a heap of this kind (compiled once per process, a few KB). */
export function nativeModule(shared: boolean): WebAssembly.Module {
  const kind = `${shared ? 'shared' : 'plain'}${relaxedSimd() ? 'Relaxed' : ''}` as keyof typeof NATIVE_WASM_BASE64;
  return (modules[kind] ??= new WebAssembly.Module(decodeBase64(NATIVE_WASM_BASE64[kind]) as BufferSource));
}

/** The heap tfjs-backend-wasm allocates tensors in: exported by the SIMD build, imported by the threaded one. */
export function backendMemory(backend: BackendWasm): WebAssembly.Memory {
  const mod = backend.wasm as unknown as EmscriptenModule;
  const memory = mod.wasmMemory ?? mod.asm?.memory;
  // Duck-typed: under jest (a vm context) the Memory may come from another realm's WebAssembly.
  if (!memory || typeof memory.grow !== 'function' || !memory.buffer) {
    throw new Error('@residual/backend-wasm (kernels/native/runtime.ts): cannot find the wasm backend\'s memory');
  }
  return memory;
}

export function isSharedMemory(memory: WebAssembly.Memory): boolean {
  return Object.prototype.toString.call(memory.buffer) === '[object SharedArrayBuffer]';
}

/** Our kernels for `backend`, instantiated on first use. */
export function nativeRuntime(backend: BackendWasm): NativeRuntime {
  let rt = runtimes.get(backend);
  if (rt) return rt;
  const memory = backendMemory(backend);
  const instance = new WebAssembly.Instance(nativeModule(isSharedMemory(memory)), { env: { memory } });
  const mod = backend.wasm as unknown as EmscriptenModule;
  const map = (backend as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } | undefined } }).dataIdMap;
  rt = {
    exports: instance.exports as unknown as NativeExports,
    pool: pools.get(backend),
    malloc: (bytes) => mod._malloc(bytes) >>> 0,
    free: (ptr) => mod._free(ptr),
    offset: (dataId) => {
      const entry = map.get(dataId);
      if (!entry) throw new Error('@residual/backend-wasm (kernels/native/runtime.ts): tensor data is not on this backend');
      return entry.memoryOffset >>> 0;
    },
  };
  runtimes.set(backend, rt);
  return rt;
}

/**
 * Runs `op` over [0, total) in at most `parts` contiguous ranges, one per thread (the caller's first), with
 * `args(lo, hi)` its arguments: on the pool when there is one and more than one range, else in one call.
 * Range bounds are multiples of `unit` (the last ends at `total`), e.g. 4 to keep SIMD loops whole.
 */
export function runSplit(
  rt: NativeRuntime,
  op: NativeOp,
  total: number,
  parts: number,
  args: (lo: number, hi: number) => readonly number[],
  unit = 1,
): void {
  const blocks = Math.ceil(total / unit);
  const used = Math.max(1, Math.min(rt.pool?.threads ?? 1, parts, blocks));
  if (!rt.pool || used === 1) {
    (rt.exports[op] as (...a: number[]) => void)(...args(0, total));
    return;
  }
  const at = (t: number) => (t === used ? total : Math.min(total, unit * Math.floor((blocks * t) / used)));
  rt.pool.runAll(Array.from({ length: used }, (_, t) => [op, args(at(t), at(t + 1))] as const));
}

/** Gives `backend`'s native kernels extra threads (called by the Node threaded loader). */
export function setNativePool(backend: BackendWasm, pool: NativePool): void {
  pools.set(backend, pool);
  runtimes.delete(backend);
}
