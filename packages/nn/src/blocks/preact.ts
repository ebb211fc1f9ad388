import { tf } from '@residual/tensor';
import type { Conv2d } from '../layers/conv';
import { bottleneckWidth, conv1x1, conv3x3 } from './convs';
import { BatchNorm2d } from '../layers/batchnorm';
import { Dropout } from '../layers/basic';
import { ResidualBlock } from './residual';
import type { BlockOptions } from './options';

/**
 * Pre-activation basic block (He et al. 2016, "Identity Mappings in Deep Residual Networks"):
 * BN → ReLU → conv3×3 → BN → ReLU → conv3×3, added to the shortcut with nothing after the sum.
 * Keys follow the common PyTorch CIFAR code: `bn1`, `conv1`, `bn2`, `conv2`, `shortcut.0` (a 1×1
 * convolution applied to the pre-activated input, no BatchNorm).
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { PreActBasicBlock } from '@residual/nn';
 * new PreActBasicBlock(64, 128, { stride: 2 }).forward(tf.zeros([1, 32, 32, 64])).shape; // [1, 16, 16, 128]
 * ```
 */
export class PreActBasicBlock extends ResidualBlock {
  static readonly expansion = 1;
  readonly bn1: BatchNorm2d;
  readonly conv1: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv2: Conv2d;

  constructor(inplanes: number, planes: number, options: BlockOptions = {}) {
    super(inplanes, planes, PreActBasicBlock.expansion, options, 'shortcut', false);
    const o = this.opts;
    if (o.groups !== 1 || o.baseWidth !== 64)
      throw new Error('PreActBasicBlock only supports groups=1 and baseWidth=64');
    if (o.dilation > 1) throw new Error('PreActBasicBlock does not support dilation > 1');
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(inplanes));
    this.conv1 = this.registerModule('conv1', conv3x3(inplanes, planes, { stride: o.stride, rng: o.rng }));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.conv2 = this.registerModule('conv2', conv3x3(planes, planes, { rng: o.rng }));
    this.registerShortcut();
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const pre = this.bn1.forwardRelu(x);
      const sc = this.shortcutOf(x, pre);
      let out = this.conv1.forward(pre);
      out = this.conv2.forward(this.bn2.forwardRelu(out));
      return sc ? tf.add(out, sc) : out;
    });
  }
}

/**
 * Pre-activation bottleneck (He et al. 2016b): BN → ReLU → conv1×1 → BN → ReLU → conv3×3 (stride,
 * groups) → BN → ReLU → conv1×1, expansion 4, added to the shortcut. Keys: `bn1`, `conv1`, `bn2`,
 * `conv2`, `bn3`, `conv3`, `shortcut.0`.
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { PreActBottleneck } from '@residual/nn';
 * new PreActBottleneck(64, 16).forward(tf.zeros([1, 8, 8, 64])).shape; // [1, 8, 8, 64]
 * ```
 */
export class PreActBottleneck extends ResidualBlock {
  static readonly expansion = 4;
  readonly width: number;
  readonly bn1: BatchNorm2d;
  readonly conv1: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly conv3: Conv2d;

  constructor(inplanes: number, planes: number, options: BlockOptions = {}) {
    super(inplanes, planes, PreActBottleneck.expansion, options, 'shortcut', false);
    const o = this.opts;
    this.width = bottleneckWidth(planes, o.baseWidth, o.groups);
    const w = this.width;
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(inplanes));
    this.conv1 = this.registerModule('conv1', conv1x1(inplanes, w, { rng: o.rng }));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(w));
    this.conv2 = this.registerModule(
      'conv2',
      conv3x3(w, w, { stride: o.stride, dilation: o.dilation, groups: o.groups, rng: o.rng }),
    );
    this.bn3 = this.registerModule('bn3', new BatchNorm2d(w));
    this.conv3 = this.registerModule('conv3', conv1x1(w, this.outChannels, { rng: o.rng }));
    this.registerShortcut();
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const pre = this.bn1.forwardRelu(x);
      const sc = this.shortcutOf(x, pre);
      let out = this.conv1.forward(pre);
      out = this.conv2.forward(this.bn2.forwardRelu(out));
      out = this.conv3.forward(this.bn3.forwardRelu(out));
      return sc ? tf.add(out, sc) : out;
    });
  }
}

/**
 * Wide ResNet unit (Zagoruyko & Komodakis 2016): a {@link PreActBasicBlock} with dropout between its
 * two convolutions, active in train mode only. Keys as `PreActBasicBlock` (dropout has none).
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { WideBasicBlock } from '@residual/nn';
 * new WideBasicBlock(16, 160, 0.3).forward(tf.zeros([2, 32, 32, 16])).shape; // [2, 32, 32, 160]
 * ```
 */
export class WideBasicBlock extends PreActBasicBlock {
  readonly dropout: Dropout;

  constructor(inplanes: number, planes: number, dropRate: number, options: BlockOptions = {}) {
    super(inplanes, planes, options);
    if (!(dropRate >= 0 && dropRate < 1)) {
      throw new Error(`WideBasicBlock: dropRate must be in [0, 1), got ${dropRate}`);
    }
    this.dropout = this.registerModule('dropout', new Dropout(dropRate, { rng: options.rng }));
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const pre = this.bn1.forwardRelu(x);
      const sc = this.shortcutOf(x, pre);
      const mid = this.dropout.forward(this.bn2.forwardRelu(this.conv1.forward(pre)));
      const out = this.conv2.forward(mid);
      return sc ? tf.add(out, sc) : out;
    });
  }
}
