import { tf, globalRng, type Rng } from '@residual/tensor';
import {
  BasicBlock,
  BatchNorm2d,
  Bottleneck,
  Conv2d,
  Dropout,
  Linear,
  MaxPool2d,
  Module,
  PreActBasicBlock,
  Sequential,
  type BlockOptions,
} from '@residual/nn';

/** Configuration of the {@link ResNet} class, from which every post-activation net is built. */
export interface ResNetConfig {
  /** Name used in error messages (the registry name). */
  name: string;
  block: 'basic' | 'bottleneck';
  /** Units per stage, e.g. `[2, 2, 2, 2]` for ResNet-18. */
  layers: number[];
  /** Planes per stage, e.g. `[64, 128, 256, 512]`; a bottleneck stage outputs 4× as many channels. */
  widths: number[];
  /** `'imagenet'`: 7×7/2 conv + 3×3/2 max-pool; `'cifar'`: one 3×3/1 conv. */
  stem: 'imagenet' | 'cifar';
  numClasses: number;
  /** @defaultValue 3 */
  inChannels?: number;
  /** Forwarded to every unit (shortcut, plain, groups, baseWidth). */
  blockOptions?: Omit<BlockOptions, 'stride' | 'rng' | 'preact' | 'downsample'>;
  /** Start each unit's last BatchNorm at γ = 0 (torchvision's `zero_init_residual`). @defaultValue false */
  zeroInitResidual?: boolean;
  rng?: Rng;
}

function checkInput(name: string, x: tf.Tensor, inChannels: number): void {
  if (x.rank !== 4 || x.shape[3] !== inChannels) {
    throw new Error(`${name}: expected an NHWC input [N, H, W, ${inChannels}], got [${x.shape.join(', ')}]`);
  }
}

/**
 * A post-activation residual network laid out as torchvision's `ResNet` (keys `conv1`, `bn1`,
 * `layer1`…`layerK`, `fc`), with either the ImageNet stem or the CIFAR 3×3 stem, any number of stages
 * and basic or bottleneck units. Input NHWC, output logits `[N, numClasses]`; global average pooling
 * lets any input at least the model's downsampling factor through.
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { ResNet } from '@residual/zoo';
 * const net = new ResNet({ name: 'resnet10', block: 'basic', layers: [1, 1, 1, 1],
 *   widths: [64, 128, 256, 512], stem: 'imagenet', numClasses: 1000 });
 * net.forward(tf.zeros([1, 224, 224, 3])).shape; // [1, 1000]
 * ```
 */
export class ResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly maxpool: MaxPool2d | null;
  readonly stages: Sequential[] = [];
  readonly fc: Linear;
  readonly inChannels: number;

  constructor(readonly config: ResNetConfig) {
    super();
    const rng = config.rng ?? globalRng();
    const inC = (this.inChannels = config.inChannels ?? 3);
    const imagenet = config.stem === 'imagenet';
    const stemWidth = imagenet ? 64 : config.widths[0];
    this.conv1 = this.registerModule(
      'conv1',
      new Conv2d(inC, stemWidth, imagenet ? 7 : 3, { stride: imagenet ? 2 : 1, padding: imagenet ? 3 : 1, bias: false, rng }),
    );
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(stemWidth));
    this.maxpool = imagenet ? new MaxPool2d(3, { stride: 2, padding: 1 }) : null;
    const Unit = config.block === 'basic' ? BasicBlock : Bottleneck;
    let inplanes = stemWidth;
    config.layers.forEach((count, i) => {
      const units: Module[] = [];
      for (let b = 0; b < count; b++) {
        const stride = b === 0 && i > 0 ? 2 : 1;
        const unit = new Unit(inplanes, config.widths[i], { ...config.blockOptions, stride, rng });
        if (config.zeroInitResidual) unit.residualBn.weight?.assign(tf.zerosLike(unit.residualBn.weight));
        units.push(unit);
        inplanes = unit.outChannels;
      }
      this.stages.push(this.registerModule(`layer${i + 1}`, new Sequential(...units)));
    });
    this.fc = this.registerModule('fc', new Linear(inplanes, config.numClasses, { rng }));
  }

  /** Features before pooling, `[N, h, w, C]`. */
  features(x: tf.Tensor): tf.Tensor {
    checkInput(this.config.name, x, this.inChannels);
    return tf.tidy(() => {
      let y = tf.relu(this.bn1.forward(this.conv1.forward(x)));
      if (this.maxpool) y = this.maxpool.forward(y);
      for (const s of this.stages) y = s.forward(y);
      return y;
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc.forward(tf.mean(this.features(x), [1, 2])));
  }
}

/**
 * Pre-activation unit with dropout between its two convolutions (Zagoruyko & Komodakis 2016), train
 * mode only; keys as `PreActBasicBlock` (dropout has none).
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { WideBasicBlock } from '@residual/zoo';
 * new WideBasicBlock(16, 160, 0.3).forward(tf.zeros([2, 32, 32, 16])).shape; // [2, 32, 32, 160]
 * ```
 */
export class WideBasicBlock extends PreActBasicBlock {
  readonly dropout: Dropout;

  constructor(inplanes: number, planes: number, dropRate: number, options: BlockOptions = {}) {
    super(inplanes, planes, options);
    if (!(dropRate >= 0 && dropRate < 1)) throw new Error(`wide_resnet: dropRate must be in [0, 1), got ${dropRate}`);
    this.dropout = this.registerModule('dropout', new Dropout(dropRate, { rng: options.rng }));
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const pre = tf.relu(this.bn1.forward(x));
      const sc = this.shortcutOf(x, pre);
      const mid = this.dropout.forward(tf.relu(this.bn2.forward(this.conv1.forward(pre))));
      const out = this.conv2.forward(mid);
      return sc ? tf.add(out, sc) : out;
    });
  }
}

/** Configuration of {@link PreActResNet}. */
export interface PreActResNetConfig {
  name: string;
  /** Units per stage. */
  layers: number[];
  /** Channels per stage. */
  widths: number[];
  /** Channels of the 3×3 stem. */
  stemWidth: number;
  numClasses: number;
  inChannels?: number;
  dropRate?: number;
  rng?: Rng;
}

/**
 * Pre-activation residual network with a 3×3 stem (He et al. 2016b; wide ResNets): `conv1`,
 * `layer1`…, then `bn_final`-ReLU, global average pooling and `fc`.
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { PreActResNet } from '@residual/zoo';
 * const net = new PreActResNet({ name: 'preact_resnet10', layers: [1, 1, 1, 1],
 *   widths: [64, 128, 256, 512], stemWidth: 64, numClasses: 10 });
 * net.forward(tf.zeros([1, 32, 32, 3])).shape; // [1, 10]
 * ```
 */
export class PreActResNet extends Module {
  readonly conv1: Conv2d;
  readonly stages: Sequential[] = [];
  readonly bnFinal: BatchNorm2d;
  readonly fc: Linear;
  readonly inChannels: number;

  constructor(readonly config: PreActResNetConfig) {
    super();
    const rng = config.rng ?? globalRng();
    this.inChannels = config.inChannels ?? 3;
    this.conv1 = this.registerModule(
      'conv1',
      new Conv2d(this.inChannels, config.stemWidth, 3, { padding: 1, bias: false, rng }),
    );
    let inplanes = config.stemWidth;
    config.layers.forEach((count, i) => {
      const units: Module[] = [];
      for (let b = 0; b < count; b++) {
        const stride = b === 0 && i > 0 ? 2 : 1;
        units.push(
          config.dropRate
            ? new WideBasicBlock(inplanes, config.widths[i], config.dropRate, { stride, rng })
            : new PreActBasicBlock(inplanes, config.widths[i], { stride, rng }),
        );
        inplanes = config.widths[i];
      }
      this.stages.push(this.registerModule(`layer${i + 1}`, new Sequential(...units)));
    });
    this.bnFinal = this.registerModule('bn_final', new BatchNorm2d(inplanes));
    this.fc = this.registerModule('fc', new Linear(inplanes, config.numClasses, { rng }));
  }

  /** Features after the final BN-ReLU, before pooling. */
  features(x: tf.Tensor): tf.Tensor {
    checkInput(this.config.name, x, this.inChannels);
    return tf.tidy(() => {
      let y = this.conv1.forward(x);
      for (const s of this.stages) y = s.forward(y);
      return tf.relu(this.bnFinal.forward(y));
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc.forward(tf.mean(this.features(x), [1, 2])));
  }
}
