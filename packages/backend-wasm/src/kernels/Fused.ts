import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ReluGrad, SGDStep, tf, type SGDStepAttrs } from '@residual/tensor';
import { assertFloat32 } from './kernel-util';
import { nativeRuntime, runSplit } from './native/runtime';

function sameShape(kernel: string, a: TensorInfo, b: TensorInfo, names: [string, string]): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(
      `@residual/backend-wasm (kernels/Fused.ts): ${kernel} needs '${names[0]}' and '${names[1]}' of one shape, got [${a.shape}] and [${b.shape}]`,
    );
  }
}

/** `dx = dy · step(x)` in one pass (native/elementwise.c), split across threads for large tensors. */
export function reluGrad(args: { inputs: NamedTensorInfoMap; backend: BackendWasm }): TensorInfo {
  const { backend } = args;
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  assertFloat32('ReluGrad', 'dy', dy);
  assertFloat32('ReluGrad', 'x', x);
  sameShape('ReluGrad', dy, x, ['dy', 'x']);
  const rt = nativeRuntime(backend);
  const dx = backend.makeOutput(x.shape, 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  const [dyp, xp, dxp] = [dy, x, dx].map((t) => rt.offset(t.dataId));
  // Threads only for large tensors; chunks on 4-element boundaries so every thread runs the SIMD loop.
  runSplit(rt, 'relu_grad', n, Math.floor(n / 65536), (i0, i1) => [dyp, xp, dxp, i0, i1], 4);
  return dx;
}

/** One SGD update in one pass (native/elementwise.c); outputs `[param, buffer]`. */
export function sgdStep(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: SGDStepAttrs }): TensorInfo[] {
  const { backend, attrs } = args;
  const { param, grad, buffer } = args.inputs as Record<'param' | 'grad' | 'buffer', TensorInfo>;
  for (const [name, t] of Object.entries({ param, grad, buffer })) assertFloat32('SGDStep', name, t);
  sameShape('SGDStep', param, grad, ['param', 'grad']);
  if (!attrs.firstStep) sameShape('SGDStep', param, buffer, ['param', 'buffer']);
  const rt = nativeRuntime(backend);
  const pOut = backend.makeOutput(param.shape, 'float32');
  const bufOut = backend.makeOutput(param.shape, 'float32');
  const flags =
    (attrs.firstStep ? 1 : 0) | (attrs.nesterov ? 2 : 0) | (attrs.weightDecay !== 0 ? 4 : 0) | (attrs.dampening !== 0 ? 8 : 0);
  const [pp, gp, bp, po, bo] = [param, grad, buffer, pOut, bufOut].map((t) => rt.offset(t.dataId));
  rt.exports.sgd_step(pp, gp, bp, po, bo, tf.util.sizeFromShape(param.shape), attrs.lr, attrs.momentum, 1 - attrs.dampening, attrs.weightDecay, flags);
  return [pOut, bufOut];
}

/** Kernel configs for `tf.registerKernel`; registered by `registerAllKernels()`. */
export const reluGradConfig: KernelConfig = { kernelName: ReluGrad, backendName: 'wasm', kernelFunc: reluGrad as unknown as KernelFunc };
export const sgdStepConfig: KernelConfig = { kernelName: SGDStep, backendName: 'wasm', kernelFunc: sgdStep as unknown as KernelFunc };
