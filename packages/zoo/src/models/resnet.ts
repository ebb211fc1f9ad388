// torchvision's models/resnet.py in one file: the post-activation ResNet built from nn's blocks, and
// every ImageNet factory of that file (ResNet-18…152 in the v1.5 layout with the stride on the
// bottleneck's 3×3, ResNeXt, wide ResNet-50/101-2), plus CIFAR-stem variants (3×3 stride-1 stem, no
// max-pool) as in the widely used pytorch-cifar code.
import { tf, globalRng, type Rng } from '@residual/tensor';
import { BasicBlock, BatchNorm2d, Bottleneck, Conv2d, Linear, MaxPool2d, Module, Sequential, type BlockOptions } from '@residual/nn';
import { registerModel, type ModelCard, type ModelFactory, type ModelOptions } from '../registry';
import {
  CIFAR10_MEAN,
  CIFAR10_STD,
  HE_2016,
  IMAGENET_MEAN,
  IMAGENET_STD,
  PYTORCH_CIFAR,
  XIE_2017,
  ZAGORUYKO_2016,
  checkInput,
} from './common';
import { TORCHVISION_WEIGHTS } from '../weights/torchvision';

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
  blockOptions?: Omit<BlockOptions, 'stride' | 'rng' | 'downsample'>;
  /** Start each unit's last BatchNorm at γ = 0 (torchvision's `zero_init_residual`). @defaultValue false */
  zeroInitResidual?: boolean;
  rng?: Rng;
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
      let y = this.bn1.forwardRelu(this.conv1.forward(x));
      if (this.maxpool) y = this.maxpool.forward(y);
      for (const s of this.stages) y = s.forward(y);
      return y;
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc.forward(tf.mean(this.features(x), [1, 2])));
  }
}

const RESNET_OPTIONS = ['zeroInitResidual'] as const;
/** Options of the ImageNet-layout ResNets, ResNeXts and wide ResNets (and their CIFAR-stem variants). */
export type ResNetOptions = ModelOptions<typeof RESNET_OPTIONS>;
/** The factory of one of this file's models. */
export type ResNetFactory = ModelFactory<typeof RESNET_OPTIONS, ResNet>;

/** What distinguishes one of torchvision's ResNets from another, and its published numbers. */
interface Variant {
  name: string;
  family: 'resnet' | 'resnext' | 'wide_resnet' | 'resnet_cifar_stem';
  description: string;
  block: 'basic' | 'bottleneck';
  layers: number[];
  /** ResNeXt cardinality and width per group; wide ResNets double the width per group. */
  groups?: number;
  baseWidth?: number;
  stem?: 'imagenet' | 'cifar';
  params: number;
  macs: number;
  referenceAccuracy: ModelCard['referenceAccuracy'];
  citation: string;
}

function define(v: Variant): ResNetFactory {
  const stem = v.stem ?? 'imagenet';
  const imagenet = stem === 'imagenet';
  return registerModel({
    card: {
      name: v.name,
      family: v.family,
      description: v.description,
      params: v.params,
      macs: v.macs,
      inputSize: imagenet ? [224, 224, 3] : [32, 32, 3],
      minInputSize: imagenet ? 32 : 8,
      mean: imagenet ? IMAGENET_MEAN : CIFAR10_MEAN,
      std: imagenet ? IMAGENET_STD : CIFAR10_STD,
      numClasses: imagenet ? 1000 : 10,
      referenceAccuracy: v.referenceAccuracy,
      citation: v.citation,
      ...(TORCHVISION_WEIGHTS[v.name] ? { weights: TORCHVISION_WEIGHTS[v.name] } : {}),
    },
    accepts: RESNET_OPTIONS,
    build: (o) =>
      new ResNet({
        name: v.name,
        block: v.block,
        layers: v.layers,
        widths: [64, 128, 256, 512],
        stem,
        numClasses: o.numClasses ?? (imagenet ? 1000 : 10),
        inChannels: o.inChannels,
        rng: o.rng,
        blockOptions: v.groups || v.baseWidth ? { groups: v.groups ?? 1, baseWidth: v.baseWidth ?? 64 } : undefined,
        zeroInitResidual: o.zeroInitResidual,
      }),
  });
}

const imagenetTop1 = (top1: number, weights: string): ModelCard['referenceAccuracy'] => ({
  top1,
  dataset: 'ImageNet-1k val (single 224 crop)',
  source: `torchvision ${weights}`,
});
const BASIC = 'basic' as const;
const BOTTLENECK = 'bottleneck' as const;
const units = (block: string, layers: number[]) => `${block} units ${layers.join('-')}`;

function resnet(depth: number, block: 'basic' | 'bottleneck', layers: number[], params: number, macs: number, top1: number): ResNetFactory {
  return define({
    name: `resnet${depth}`,
    family: 'resnet',
    description: `ResNet-${depth} for ImageNet, torchvision layout (${units(block, layers)})`,
    block,
    layers,
    params,
    macs,
    referenceAccuracy: imagenetTop1(top1, `ResNet${depth}_Weights.IMAGENET1K_V1`),
    citation: HE_2016,
  });
}

/** torchvision's ResNet-18. @example `resnet18().numParameters() // 11689512` */
export const resnet18 = resnet(18, BASIC, [2, 2, 2, 2], 11689512, 1814073344, 69.758);
/** torchvision's ResNet-34. @example `resnet34().numParameters() // 21797672` */
export const resnet34 = resnet(34, BASIC, [3, 4, 6, 3], 21797672, 3663761408, 73.314);
/** torchvision's ResNet-50. @example `resnet50().numParameters() // 25557032` */
export const resnet50 = resnet(50, BOTTLENECK, [3, 4, 6, 3], 25557032, 4089184256, 76.13);
/** torchvision's ResNet-101. @example `resnet101().numParameters() // 44549160` */
export const resnet101 = resnet(101, BOTTLENECK, [3, 4, 23, 3], 44549160, 7801405440, 77.374);
/** torchvision's ResNet-152. @example `resnet152().numParameters() // 60192808` */
export const resnet152 = resnet(152, BOTTLENECK, [3, 8, 36, 3], 60192808, 11513626624, 78.312);

function resnext(depth: number, groups: number, baseWidth: number, layers: number[], params: number, macs: number, top1: number): ResNetFactory {
  const id = `${groups}x${baseWidth}d`;
  return define({
    name: `resnext${depth}_${id}`,
    family: 'resnext',
    description: `ResNeXt-${depth} (${groups}×${baseWidth}d) for ImageNet, torchvision layout`,
    block: BOTTLENECK,
    layers,
    groups,
    baseWidth,
    params,
    macs,
    referenceAccuracy: imagenetTop1(top1, `ResNeXt${depth}_${id.toUpperCase()}_Weights.IMAGENET1K_V1`),
    citation: XIE_2017,
  });
}

/** torchvision's `resnext50_32x4d`. @example `resnext50_32x4d().numParameters() // 25028904` */
export const resnext50_32x4d = resnext(50, 32, 4, [3, 4, 6, 3], 25028904, 4230479872, 77.618);
/** torchvision's `resnext101_32x8d`. @example `resnext101_32x8d().numParameters() // 88791336` */
export const resnext101_32x8d = resnext(101, 32, 8, [3, 4, 23, 3], 88791336, 16414015488, 79.312);
/** torchvision's `resnext101_64x4d`. @example `resnext101_64x4d().numParameters() // 83455272` */
export const resnext101_64x4d = resnext(101, 64, 4, [3, 4, 23, 3], 83455272, 15460270080, 83.246);

function wideResnet(depth: number, layers: number[], params: number, macs: number, top1: number): ResNetFactory {
  return define({
    name: `wide_resnet${depth}_2`,
    family: 'wide_resnet',
    description: `Wide ResNet-${depth}-2 for ImageNet, torchvision layout (bottlenecks twice as wide inside)`,
    block: BOTTLENECK,
    layers,
    baseWidth: 128,
    params,
    macs,
    referenceAccuracy: imagenetTop1(top1, `Wide_ResNet${depth}_2_Weights.IMAGENET1K_V1`),
    citation: `${ZAGORUYKO_2016}; ${HE_2016}`,
  });
}

/** torchvision's `wide_resnet50_2`. @example `wide_resnet50_2().numParameters() // 68883240` */
export const wide_resnet50_2 = wideResnet(50, [3, 4, 6, 3], 68883240, 11398021120, 78.468);
/** torchvision's `wide_resnet101_2`. @example `wide_resnet101_2().numParameters() // 126886696` */
export const wide_resnet101_2 = wideResnet(101, [3, 4, 23, 3], 126886696, 22753050624, 78.848);

function cifarStem(depth: number, block: 'basic' | 'bottleneck', layers: number[], params: number, macs: number, acc: number | null): ResNetFactory {
  return define({
    name: `resnet${depth}_cifar`,
    family: 'resnet_cifar_stem',
    description: `ResNet-${depth} with a 3×3 stride-1 stem and no max-pool, for 32×32 inputs (pytorch-cifar)`,
    block,
    layers,
    stem: 'cifar',
    params,
    macs,
    referenceAccuracy: acc === null ? null : { top1: acc, dataset: 'CIFAR-10 test', source: 'pytorch-cifar README (K. Liu)' },
    citation: `${HE_2016}; ${PYTORCH_CIFAR}`,
  });
}

/** ResNet-18 with the CIFAR stem (pytorch-cifar layout). @example `resnet18_cifar().numParameters() // 11173962` */
export const resnet18_cifar = cifarStem(18, BASIC, [2, 2, 2, 2], 11173962, 555422720, 93.02);
/** ResNet-34 with the CIFAR stem. @example `resnet34_cifar().numParameters() // 21282122` */
export const resnet34_cifar = cifarStem(34, BASIC, [3, 4, 6, 3], 21282122, 1159402496, null);
/** ResNet-50 with the CIFAR stem. @example `resnet50_cifar().numParameters() // 23520842` */
export const resnet50_cifar = cifarStem(50, BOTTLENECK, [3, 4, 6, 3], 23520842, 1297829888, 93.62);
