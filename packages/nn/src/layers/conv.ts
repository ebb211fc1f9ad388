import { tf, globalRng, type Rng } from '@residual/tensor';
import { Module } from '../module';
import { pySize, pyTuple } from '../repr/python';
import { conv2d, pair, type Padding2d, type Size2 } from '../functional/conv';
import { fans, initTensor, uniformBias, type InitScheme } from '../init';

/** Options of {@link Conv2d}; defaults as `torch.nn.Conv2d`. */
export interface Conv2dOptions {
  /** @defaultValue 1 */
  stride?: Size2;
  /** Symmetric zero padding, `[ph, pw]`, `'same'` (stride 1 only) or `'valid'`. @defaultValue 0 */
  padding?: Padding2d;
  /** @defaultValue 1 */
  dilation?: Size2;
  /** Channel groups (ResNeXt's cardinality). @defaultValue 1 */
  groups?: number;
  /** @defaultValue true */
  bias?: boolean;
  /**
   * Weight init. Default `'kaimingNormal'` (torchvision ResNet: fan_out, ReLU gain); `'torchDefault'`
   * is plain `nn.Conv2d`'s. The bias, when present, always gets PyTorch's U(−1/√fan_in, 1/√fan_in).
   */
  init?: InitScheme;
  /** Generator the init draws from. @defaultValue globalRng() */
  rng?: Rng;
}

/**
 * 2-D convolution layer, as `torch.nn.Conv2d`, on NHWC tensors.
 *
 * The weight is stored HWIO `[kh, kw, in/groups, out]` and appears in {@link Module.stateDict} as
 * PyTorch's OIHW `[out, in/groups, kh, kw]`.
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { Conv2d } from '@residual/nn';
 * const conv = new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
 * conv.forward(tf.zeros([1, 224, 224, 3])).shape; // [1, 112, 112, 64]
 * ```
 */
export class Conv2d extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: Padding2d;
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2,
    options: Conv2dOptions = {},
  ) {
    super();
    this.kernelSize = pair(kernelSize, 'Conv2d kernelSize');
    this.stride = pair(options.stride ?? 1, 'Conv2d stride');
    this.dilation = pair(options.dilation ?? 1, 'Conv2d dilation');
    this.padding = options.padding ?? 0;
    this.groups = options.groups ?? 1;
    const g = this.groups;
    if (!Number.isInteger(g) || g < 1 || inChannels % g !== 0 || outChannels % g !== 0) {
      throw new Error(
        `Conv2d: groups=${g} must divide inChannels=${inChannels} and outChannels=${outChannels}`,
      );
    }
    const rng = options.rng ?? globalRng();
    const torchShape = [outChannels, inChannels / g, ...this.kernelSize];
    this.weight = this.registerParameter(
      'weight',
      tf.tidy(() =>
        this.fromStateDictTensor('weight', initTensor(torchShape, options.init ?? 'kaimingNormal', rng)),
      ),
    );
    this.bias =
      (options.bias ?? true)
        ? this.registerParameter('bias', uniformBias(outChannels, fans(torchShape).fanIn, rng))
        : null;
  }

  protected override stateDictPermutation(name: string, rank: number): number[] | null {
    return name === 'weight' && rank === 4 ? [3, 2, 0, 1] : null;
  }

  protected override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    const p = this.padding;
    if (typeof p === 'string') s += `, padding=${p}`;
    else if (pySize(p) !== '0' && pySize(p) !== '(0, 0)')
      s += `, padding=${typeof p === 'number' ? pyTuple([p, p]) : pyTuple(p)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank !== 4)
      throw new Error(`Conv2d expects an NHWC tensor of rank 4, got shape [${x.shape.join(', ')}]`);
    return tf.tidy(() => {
      const y = conv2d(x as tf.Tensor4D, this.weight as tf.Tensor4D, {
        stride: this.stride,
        padding: this.padding,
        dilation: this.dilation,
        groups: this.groups,
      });
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}
