import { tf } from '@residual/tensor';
import { Module } from '../module';
import type { Conv2d } from '../layers/conv';
import { bottleneckWidth, conv1x1, conv3x3 } from './convs';
import { BatchNorm2d } from '../layers/batchnorm';
import { Sequential } from '../layers/sequential';
import { shortcutA } from '../functional/shortcut';
import { resolve, shortcutKind, type BlockOptions } from './options';

/**
 * What every residual block shares: its shortcut (`downsample` or `shortcut` submodule, option A, or
 * none) and how it is added.
 *
 * @example
 * ```ts
 * // torchvision's zero_init_residual: start every residual branch at zero
 * for (const [, m] of model.namedModules()) {
 *   if (m instanceof BasicBlock || m instanceof Bottleneck) m.residualBn.weight!.assign(tf.zeros([m.outChannels]));
 * }
 * ```
 */
export abstract class ResidualBlock extends Module {
  /** Output channels = planes · expansion. */
  readonly outChannels: number;
  readonly stride: number;
  /** Whether the block adds a shortcut at all (`false` for plain networks). */
  readonly residual: boolean;
  /** The projection shortcut, when there is one (`downsample` / `shortcut` in state dicts). */
  readonly downsample: Module | null;
  protected readonly optionA: boolean;
  protected readonly opts: ReturnType<typeof resolve>;
  private readonly shortcutName: 'downsample' | 'shortcut';

  protected constructor(
    readonly inplanes: number,
    readonly planes: number,
    expansion: number,
    options: BlockOptions,
    shortcutName: 'downsample' | 'shortcut',
    withBn: boolean,
  ) {
    super();
    if (!Number.isInteger(inplanes) || !Number.isInteger(planes) || inplanes < 1 || planes < 1) {
      throw new Error(
        `${this.constructor.name}: inplanes and planes must be positive integers, got (${inplanes}, ${planes})`,
      );
    }
    this.opts = resolve(options);
    this.stride = this.opts.stride;
    this.outChannels = planes * expansion;
    const kind = shortcutKind(this.opts, inplanes, this.outChannels, options.downsample);
    this.residual = kind !== 'none';
    this.optionA = kind === 'A';
    this.downsample = null;
    if (kind === 'explicit') this.downsample = options.downsample!;
    if (kind === 'projection') {
      const conv = conv1x1(inplanes, this.outChannels, { stride: this.stride, rng: this.opts.rng });
      this.downsample = withBn
        ? new Sequential(conv, new BatchNorm2d(this.outChannels))
        : new Sequential(conv);
    }
    this.shortcutName = shortcutName;
  }

  /** Subclasses call this after registering the main path, so keys come in torchvision's order. */
  protected registerShortcut(): void {
    if (this.downsample) this.registerModule(this.shortcutName, this.downsample);
  }

  /** The shortcut branch for input `x` (`pre` is the pre-activated input in pre-activation blocks). */
  protected shortcutOf(x: tf.Tensor, pre: tf.Tensor = x): tf.Tensor | null {
    if (!this.residual) return null;
    if (this.downsample) return this.downsample.forward(pre);
    if (this.optionA) return shortcutA(x as tf.Tensor4D, this.outChannels, this.stride);
    return x;
  }
}

/**
 * torchvision's `BasicBlock` (two 3×3 convolutions, expansion 1), with the shortcut options of
 * He et al. 2016. State-dict keys: `conv1`, `bn1`, `conv2`, `bn2`, `downsample.0`, `downsample.1`.
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { BasicBlock } from '@residual/nn';
 * const block = new BasicBlock(64, 128, { stride: 2 });           // option B: 1×1 conv + BN shortcut
 * block.forward(tf.zeros([1, 56, 56, 64])).shape;                   // [1, 28, 28, 128]
 * const cifar = new BasicBlock(16, 32, { stride: 2, shortcut: 'A' }); // parameter-free shortcut
 * ```
 */
export class BasicBlock extends ResidualBlock {
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;

  constructor(inplanes: number, planes: number, options: BlockOptions = {}) {
    super(inplanes, planes, BasicBlock.expansion, options, 'downsample', true);
    const o = this.opts;
    if (o.groups !== 1 || o.baseWidth !== 64)
      throw new Error('BasicBlock only supports groups=1 and baseWidth=64 (as torchvision)');
    if (o.dilation > 1) throw new Error('BasicBlock does not support dilation > 1 (as torchvision)');
    this.conv1 = this.registerModule('conv1', conv3x3(inplanes, planes, { stride: o.stride, rng: o.rng }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.conv2 = this.registerModule('conv2', conv3x3(planes, planes, { rng: o.rng }));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.registerShortcut();
  }

  /** The BatchNorm ending the residual branch (torchvision's `zero_init_residual` zeroes its weight). */
  get residualBn(): BatchNorm2d {
    return this.bn2;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      // relu(bn(·) + shortcut) through forwardRelu: one fused kernel where the backend has it.
      const out = this.bn1.forwardRelu(this.conv1.forward(x));
      return this.bn2.forwardRelu(this.conv2.forward(out), this.shortcutOf(x));
    });
  }
}

/**
 * torchvision's `Bottleneck` (1×1, 3×3, 1×1 convolutions, expansion 4, stride on the 3×3 as in
 * ResNet v1.5), with ResNeXt's `groups`/`baseWidth`: width = ⌊planes · baseWidth/64⌋ · groups.
 * State-dict keys: `conv1..3`, `bn1..3`, `downsample.0`, `downsample.1`.
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { Bottleneck } from '@residual/nn';
 * const block = new Bottleneck(256, 128, { stride: 2, groups: 32, baseWidth: 4 }); // ResNeXt-50 32×4d
 * block.forward(tf.zeros([1, 56, 56, 256])).shape; // [1, 28, 28, 512]
 * ```
 */
export class Bottleneck extends ResidualBlock {
  static readonly expansion = 4;
  readonly width: number;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;

  constructor(inplanes: number, planes: number, options: BlockOptions = {}) {
    super(inplanes, planes, Bottleneck.expansion, options, 'downsample', true);
    const o = this.opts;
    this.width = bottleneckWidth(planes, o.baseWidth, o.groups);
    const w = this.width;
    this.conv1 = this.registerModule('conv1', conv1x1(inplanes, w, { rng: o.rng }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(w));
    this.conv2 = this.registerModule(
      'conv2',
      conv3x3(w, w, { stride: o.stride, dilation: o.dilation, groups: o.groups, rng: o.rng }),
    );
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(w));
    this.conv3 = this.registerModule('conv3', conv1x1(w, this.outChannels, { rng: o.rng }));
    this.bn3 = this.registerModule('bn3', new BatchNorm2d(this.outChannels));
    this.registerShortcut();
  }

  /** The BatchNorm ending the residual branch (torchvision's `zero_init_residual` zeroes its weight). */
  get residualBn(): BatchNorm2d {
    return this.bn3;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let out = this.bn1.forwardRelu(this.conv1.forward(x));
      out = this.bn2.forwardRelu(this.conv2.forward(out));
      return this.bn3.forwardRelu(this.conv3.forward(out), this.shortcutOf(x));
    });
  }
}
