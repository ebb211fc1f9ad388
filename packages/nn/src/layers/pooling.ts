import { tf } from '@residual/tensor';
import { Module } from '../module';
import { pySize } from '../repr/python';
import { pair, type Size2 } from '../functional/conv';
import { subsample } from '../functional/shortcut';

/** Options of {@link MaxPool2d} and {@link AvgPool2d}; defaults as PyTorch's. */
export interface Pool2dOptions {
  /** @defaultValue kernelSize */
  stride?: Size2;
  /** Symmetric padding on each side (at most half the kernel). @defaultValue 0 */
  padding?: Size2;
}

/** Options of {@link AvgPool2d}. */
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Count padded zeros in each average (PyTorch's default). @defaultValue true */
  countIncludePad?: boolean;
}

function check4d(x: tf.Tensor, who: string): tf.Tensor4D {
  if (x.rank !== 4)
    throw new Error(`${who} expects an NHWC tensor of rank 4, got shape [${x.shape.join(', ')}]`);
  return x as tf.Tensor4D;
}

abstract class Pool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  /** The sizes as the caller gave them, for PyTorch-style descriptions. */
  protected readonly given: { kernel: string; stride: string; padding: string };

  constructor(kernelSize: Size2, options: Pool2dOptions) {
    super();
    this.given = {
      kernel: pySize(kernelSize),
      stride: pySize(options.stride ?? kernelSize),
      padding: pySize(options.padding ?? 0),
    };
    this.kernelSize = pair(kernelSize, `${this.constructor.name} kernelSize`);
    this.stride = pair(options.stride ?? this.kernelSize, `${this.constructor.name} stride`);
    this.padding = pair(options.padding ?? 0, `${this.constructor.name} padding`, 0);
    if (this.padding[0] * 2 > this.kernelSize[0] || this.padding[1] * 2 > this.kernelSize[1]) {
      throw new Error(
        `${this.constructor.name}: padding should be at most half of the kernel size, got padding ${this.padding} for kernel ${this.kernelSize}`,
      );
    }
  }

  protected tfPad(): 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
    const [ph, pw] = this.padding;
    return ph === 0 && pw === 0
      ? 'valid'
      : [
          [0, 0],
          [ph, ph],
          [pw, pw],
          [0, 0],
        ];
  }
}

/**
 * Max pooling, as `torch.nn.MaxPool2d` (padding acts as −∞; floor output size).
 *
 * @example
 * ```ts
 * const pool = new MaxPool2d(3, { stride: 2, padding: 1 }); // ResNet stem
 * pool.forward(tf.zeros([1, 112, 112, 64])).shape; // [1, 56, 56, 64]
 * ```
 */
export class MaxPool2d extends Pool2d {
  constructor(kernelSize: Size2, options: Pool2dOptions = {}) {
    super(kernelSize, options);
  }

  protected override extraRepr(): string {
    return `kernel_size=${this.given.kernel}, stride=${this.given.stride}, padding=${this.given.padding}, dilation=1, ceil_mode=False`;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const x4 = check4d(x, 'MaxPool2d');
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.stride;
    // tfjs skips out-of-image positions when taking the max, which is padding with −∞.
    if (kh === kw && sh === sw) return tf.maxPool(x4, this.kernelSize, this.stride, this.tfPad());
    // tfjs-backend-wasm 4.22's MaxPoolGrad gives wrong gradients for some rectangular windows and
    // strides, so those are composed from strided views: max over the kh·kw shifted grids.
    return tf.tidy(() => {
      const [ph, pw] = this.padding;
      const xp =
        ph || pw
          ? tf.pad(
              x4,
              [
                [0, 0],
                [ph, ph],
                [pw, pw],
                [0, 0],
              ],
              -Infinity,
            )
          : x4;
      const [n, hp, wp, c] = xp.shape;
      const oh = Math.floor((hp - kh) / sh) + 1;
      const ow = Math.floor((wp - kw) / sw) + 1;
      let out: tf.Tensor4D | null = null;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const view = tf.slice(xp, [0, i, j, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, c]);
          const grid = subsample(view, [sh, sw]);
          // Ties go to the earlier position, as in PyTorch's scan.
          out = out ? (tf.maximum(out, grid) as tf.Tensor4D) : grid;
        }
      }
      return out!;
    });
  }
}

/**
 * Average pooling, as `torch.nn.AvgPool2d` (padded zeros counted unless `countIncludePad: false`).
 *
 * @example
 * ```ts
 * new AvgPool2d(2).forward(tf.ones([1, 4, 4, 3])).shape; // [1, 2, 2, 3]
 * ```
 */
export class AvgPool2d extends Pool2d {
  readonly countIncludePad: boolean;

  constructor(kernelSize: Size2, options: AvgPool2dOptions = {}) {
    super(kernelSize, options);
    this.countIncludePad = options.countIncludePad ?? true;
  }

  protected override extraRepr(): string {
    return `kernel_size=${this.given.kernel}, stride=${this.given.stride}, padding=${this.given.padding}`;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const x4 = check4d(x, 'AvgPool2d');
    const [ph, pw] = this.padding;
    if (ph === 0 && pw === 0) return tf.avgPool(x4, this.kernelSize, this.stride, 'valid');
    return tf.tidy(() => {
      const pads: Array<[number, number]> = [
        [0, 0],
        [ph, ph],
        [pw, pw],
        [0, 0],
      ];
      const y = tf.avgPool(tf.pad(x4, pads), this.kernelSize, this.stride, 'valid');
      if (this.countIncludePad) return y;
      // Divide by the in-image share of each window. (tfjs's own padded avgPool excludes padding in
      // the forward pass but not in its gradient, so it is not used.)
      const ones = tf.ones([1, x4.shape[1], x4.shape[2], 1]) as tf.Tensor4D;
      return tf.div(y, tf.avgPool(tf.pad(ones, pads), this.kernelSize, this.stride, 'valid'));
    });
  }
}

/**
 * Adaptive average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d` (output bin i
 * covers rows ⌊i·H/out⌋ … ⌈(i+1)·H/out⌉). Output stays NHWC: `[N, outH, outW, C]`.
 *
 * @example
 * ```ts
 * new AdaptiveAvgPool2d(1).forward(tf.ones([2, 7, 7, 512])).shape; // [2, 1, 1, 512]
 * ```
 */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: [number, number];
  private readonly givenSize: string;

  constructor(outputSize: Size2 = 1) {
    super();
    this.givenSize = pySize(outputSize);
    this.outputSize = pair(outputSize, 'AdaptiveAvgPool2d outputSize');
  }

  protected override extraRepr(): string {
    return `output_size=${this.givenSize}`;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const x4 = check4d(x, 'AdaptiveAvgPool2d');
    const [oh, ow] = this.outputSize;
    const [, h, w] = x4.shape;
    if (oh === 1 && ow === 1) return tf.mean(x4, [1, 2], true);
    return tf.tidy(() => {
      const bins = (size: number, out: number) =>
        Array.from({ length: out }, (_, i) => [
          Math.floor((i * size) / out),
          Math.ceil(((i + 1) * size) / out),
        ]);
      const rows = bins(h, oh).map(([h0, h1]) => {
        const band = tf.slice(x4, [0, h0, 0, 0], [-1, h1 - h0, -1, -1]);
        const cells = bins(w, ow).map(([w0, w1]) =>
          tf.mean(tf.slice(band, [0, 0, w0, 0], [-1, -1, w1 - w0, -1]), [1, 2], true),
        );
        return tf.concat(cells, 2);
      });
      return tf.concat(rows, 1);
    });
  }
}
