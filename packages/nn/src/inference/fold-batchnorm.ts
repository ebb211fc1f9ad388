import { tf, residualConv2d } from '@residual/tensor';
import { BasicBlock, Bottleneck } from '../blocks';
import { BatchNorm2d } from '../layers/batchnorm';
import { Conv2d } from '../layers/conv';
import { explicitPadding } from '../functional/conv';
import type { Module } from '../module';

/** A folded model: undo with `restore()` (also disposes the folded weights). */
export interface FoldedModel {
  /** Conv/BatchNorm pairs folded, by BatchNorm name. */
  folded: string[];
  /**
   * Residual blocks whose ReLUs, and shortcut addition, now run inside the convolutions, by name (the last
   * convolution, its shortcut addition and the block's final ReLU are one `residualConv2d`).
   */
  fusedRelu: string[];
  restore(): void;
}

/** A folded convolution: act(conv(x) + bias), or act(conv(x) + bias + residual) with a residual. */
type FoldedConv = (x: tf.Tensor, activation?: 'relu', residual?: tf.Tensor | null) => tf.Tensor;

/** The convolution a BatchNorm follows, by torchvision's naming: `…convK`/`…bnK`, `….0`/`….1`. */
function convFor(bnName: string, modules: Map<string, Module>): [string, Conv2d] | null {
  const candidates = [bnName.replace(/bn(\d*)$/, 'conv$1')];
  if (/\.1$/.test(bnName)) candidates.push(bnName.replace(/\.1$/, '.0'));
  for (const name of candidates) {
    const m = modules.get(name);
    if (name !== bnName && m instanceof Conv2d) return [name, m];
  }
  return null;
}

/**
 * Fold every eval-mode BatchNorm2d into the Conv2d before it, for inference: the convolution's
 * filter is scaled per output channel by γ/√(σ²+ε) and gets the bias β − μ·γ/√(σ²+ε) (plus its own
 * bias, scaled), computed with one fused conv+bias kernel; the BatchNorm becomes the identity. Saves
 * the BatchNorm's two passes over each activation. In `@residual/nn`'s BasicBlock and Bottleneck,
 * whose convolutions are all folded, the ReLUs inside the residual branch also move into the fused
 * kernel, and the last convolution takes the shortcut addition and the block's ReLU too
 * (`residualConv2d`: one kernel on wasm, the op chain elsewhere). Works on instances (no class is changed);
 * `restore()` puts the original forwards back. Grouped or dilated convolutions are left alone.
 *
 * Inference only: training would update the folded-away statistics. `residual predict` and
 * `residual eval` fold by default; results equal the unfolded model's to float32 rounding (≤ 1e-5
 * of the largest logit on ResNet-20, tested).
 * @example
 * ```ts
 * model.eval();
 * const f = foldBatchNorm(model);
 * const y = model.forward(x); // same values, fewer kernels
 * f.restore();
 * ```
 */
export function foldBatchNorm(model: Module): FoldedModel {
  if (model.training) throw new Error('foldBatchNorm: call model.eval() first (training mode uses batch statistics)');
  const modules = new Map(model.namedModules());
  const undo: Array<() => void> = [];
  const folded: string[] = [];
  const fusedRelu: string[] = [];
  const convs = new Map<Conv2d, FoldedConv>();
  for (const [name, bn] of modules) {
    if (!(bn instanceof BatchNorm2d) || !bn.runningMean || !bn.runningVar) continue;
    const pair = convFor(name, modules);
    if (!pair) continue;
    const [, conv] = pair;
    if (conv.groups !== 1 || conv.dilation[0] !== 1 || conv.dilation[1] !== 1) continue;
    const [filter, bias] = tf.tidy(() => {
      let scale = tf.rsqrt(tf.add(bn.runningVar as tf.Tensor, bn.eps));
      if (bn.weight) scale = tf.mul(scale, bn.weight);
      let shift = tf.neg(tf.mul(bn.runningMean as tf.Tensor, scale));
      if (bn.bias) shift = tf.add(shift, bn.bias);
      if (conv.bias) shift = tf.add(shift, tf.mul(conv.bias, scale));
      return [tf.mul(conv.weight, scale) as tf.Tensor4D, shift as tf.Tensor1D];
    });
    const pad = explicitPadding(conv.padding, conv.kernelSize, conv.dilation);
    const convForward = conv.forward;
    const bnForward = bn.forward;
    const run: FoldedConv = (x, activation, residual) =>
      tf.tidy(() =>
        residual
          ? residualConv2d({ x: x as tf.Tensor4D, filter, bias, residual: residual as tf.Tensor4D, strides: conv.stride, pad, activation: activation ?? 'linear' })
          : tf.fused.conv2d({ x: x as tf.Tensor4D, filter, strides: conv.stride, pad, bias, activation }),
      );
    convs.set(conv, run);
    conv.forward = (x: tf.Tensor) => run(x);
    bn.forward = (x: tf.Tensor) => x;
    folded.push(name);
    undo.push(() => {
      conv.forward = convForward;
      bn.forward = bnForward;
      tf.dispose([filter, bias]);
    });
  }
  for (const [name, block] of modules) {
    const forward = fusedBlockForward(block, convs);
    if (!forward) continue;
    const original = block.forward;
    block.forward = forward;
    fusedRelu.push(name);
    undo.unshift(() => (block.forward = original));
  }
  return { folded, fusedRelu, restore: () => undo.splice(0).forEach((f) => f()) };
}

// The block's own forward (nn/src/blocks/residual.ts) with each `relu(bn(conv(·)))` of the branch as one
// fused kernel, and the last `relu(bn(conv(·)) + shortcut)` as one residualConv2d (one kernel on wasm).
// The shortcut (`shortcutOf`, protected) is the block's own, with its folded projection.
function fusedBlockForward(block: Module, convs: Map<Conv2d, FoldedConv>): ((x: tf.Tensor) => tf.Tensor) | null {
  const shortcut = (b: BasicBlock | Bottleneck, x: tf.Tensor) =>
    (b as unknown as { shortcutOf(x: tf.Tensor): tf.Tensor | null }).shortcutOf(x);
  if (block instanceof BasicBlock) {
    const [c1, c2] = [convs.get(block.conv1), convs.get(block.conv2)];
    if (!c1 || !c2) return null;
    return (x) =>
      tf.tidy(() => {
        const sc = shortcut(block, x);
        return c2(c1(x, 'relu'), 'relu', sc);
      });
  }
  if (block instanceof Bottleneck) {
    const [c1, c2, c3] = [convs.get(block.conv1), convs.get(block.conv2), convs.get(block.conv3)];
    if (!c1 || !c2 || !c3) return null;
    return (x) =>
      tf.tidy(() => {
        const sc = shortcut(block, x);
        return c3(c2(c1(x, 'relu'), 'relu'), 'relu', sc);
      });
  }
  return null;
}
