import { tf } from '@residual/tensor';
import { Conv2d, Linear, type Module } from '@residual/nn';

/** Per-layer multiply-adds, as {@link countMacs} reports them. */
export interface MacsReport {
  /** Sum over every convolution and linear layer. */
  total: number;
  /** Module name → multiply-adds for one image, in the order the layers ran. */
  layers: Array<[string, number]>;
}

function convOutSize(n: number, k: number, s: number, d: number, padBefore: number, padAfter: number): number {
  return Math.floor((n + padBefore + padAfter - d * (k - 1) - 1) / s) + 1;
}

function convPads(conv: Conv2d): [[number, number], [number, number]] {
  const p = conv.padding;
  if (p === 'valid') return [[0, 0], [0, 0]];
  if (p === 'same') {
    const th = conv.dilation[0] * (conv.kernelSize[0] - 1);
    const tw = conv.dilation[1] * (conv.kernelSize[1] - 1);
    return [[Math.floor(th / 2), th - Math.floor(th / 2)], [Math.floor(tw / 2), tw - Math.floor(tw / 2)]];
  }
  const [ph, pw] = typeof p === 'number' ? [p, p] : p;
  return [[ph, ph], [pw, pw]];
}

/**
 * Multiply-adds of a model for one image of `inputSize` `[H, W, C]`: every `Conv2d` counts
 * out_pixels · out_channels · in_channels/groups · kh · kw, every `Linear` in · out (the convention of
 * fvcore and ptflops; BatchNorm, ReLU, pooling and additions are not counted).
 *
 * It walks the module tree by running the model once in eval mode with each convolution and linear
 * layer replaced by a shape-only stand-in, so data flow through blocks is real but no convolution is
 * computed; the model's mode and variables are left as they were.
 *
 * @example
 * ```ts
 * import { createModel, countMacs } from '@residual/zoo';
 * countMacs(createModel('resnet18'), [224, 224, 3]).total; // 1814073344
 * ```
 */
export function countMacs(model: Module, inputSize: readonly [number, number, number]): MacsReport {
  const [h, w, c] = inputSize;
  if (![h, w, c].every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`countMacs: inputSize must be [H, W, C] positive integers, got [${inputSize.join(', ')}]`);
  }
  const modules = model.namedModules();
  const modes = modules.map(([, m]) => m.training);
  const layers: Array<[string, number]> = [];
  const patched: Module[] = [];
  for (const [name, m] of modules) {
    if (m instanceof Conv2d) {
      const conv = m;
      const [[pt, pb], [pl, pr]] = convPads(conv);
      (conv as { forward: Module['forward'] }).forward = (x: tf.Tensor) => {
        const [n, ih, iw, ic] = x.shape;
        if (ic !== conv.inChannels) {
          throw new Error(`countMacs: ${name} expects ${conv.inChannels} channels, got ${ic}`);
        }
        const oh = convOutSize(ih, conv.kernelSize[0], conv.stride[0], conv.dilation[0], pt, pb);
        const ow = convOutSize(iw, conv.kernelSize[1], conv.stride[1], conv.dilation[1], pl, pr);
        const perPixel = (conv.inChannels / conv.groups) * conv.kernelSize[0] * conv.kernelSize[1];
        layers.push([name, oh * ow * conv.outChannels * perPixel]);
        return tf.zeros([n, oh, ow, conv.outChannels]);
      };
      patched.push(conv);
    } else if (m instanceof Linear) {
      const lin = m;
      (lin as { forward: Module['forward'] }).forward = (x: tf.Tensor) => {
        const rows = x.size / x.shape[x.rank - 1];
        layers.push([name, (rows / x.shape[0]) * lin.inFeatures * lin.outFeatures]);
        return tf.zeros([...x.shape.slice(0, -1), lin.outFeatures]);
      };
      patched.push(lin);
    }
  }
  try {
    model.eval();
    tf.tidy(() => void model.forward(tf.zeros([1, h, w, c])));
  } finally {
    // Deleting the own property brings the prototype's forward back.
    for (const m of patched) delete (m as { forward?: unknown }).forward;
    modules.forEach(([, m], i) => (m.training = modes[i]));
  }
  return { total: layers.reduce((s, [, v]) => s + v, 0), layers };
}
