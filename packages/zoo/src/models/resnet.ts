// ImageNet ResNets in torchvision's layout (v1.5: stride on the bottleneck's 3×3), and their CIFAR-stem
// variants (3×3 stride-1 stem, no max-pool) as in the widely used pytorch-cifar code.
import { registerModel, type CreateModelOptions, type ModelCard } from '../registry';
import { ResNet } from '../nets/resnet';
import { CIFAR10_MEAN, CIFAR10_STD, HE_2016, IMAGENET_MEAN, IMAGENET_STD, PYTORCH_CIFAR } from './common';

/** Options of the ImageNet-layout ResNets. */
export type ResNetOptions = Pick<CreateModelOptions, 'numClasses' | 'inChannels' | 'zeroInitResidual' | 'rng'>;

interface Spec {
  depth: number;
  block: 'basic' | 'bottleneck';
  layers: number[];
  params: number;
  macs: number;
  top1: number;
  cifar?: { params: number; macs: number; acc: number | null };
}

const SPECS: Spec[] = [
  { depth: 18, block: 'basic', layers: [2, 2, 2, 2], params: 11689512, macs: 1814073344, top1: 69.758,
    cifar: { params: 11173962, macs: 555422720, acc: 93.02 } },
  { depth: 34, block: 'basic', layers: [3, 4, 6, 3], params: 21797672, macs: 3663761408, top1: 73.314,
    cifar: { params: 21282122, macs: 1159402496, acc: null } },
  { depth: 50, block: 'bottleneck', layers: [3, 4, 6, 3], params: 25557032, macs: 4089184256, top1: 76.13,
    cifar: { params: 23520842, macs: 1297829888, acc: 93.62 } },
  { depth: 101, block: 'bottleneck', layers: [3, 4, 23, 3], params: 44549160, macs: 7801405440, top1: 77.374 },
  { depth: 152, block: 'bottleneck', layers: [3, 8, 36, 3], params: 60192808, macs: 11513626624, top1: 78.312 },
];

function build(spec: Spec, stem: 'imagenet' | 'cifar', o: ResNetOptions): ResNet {
  return new ResNet({
    name: stem === 'imagenet' ? `resnet${spec.depth}` : `resnet${spec.depth}_cifar`,
    block: spec.block,
    layers: spec.layers,
    widths: [64, 128, 256, 512],
    stem,
    numClasses: o.numClasses ?? (stem === 'imagenet' ? 1000 : 10),
    inChannels: o.inChannels,
    rng: o.rng,
    zeroInitResidual: o.zeroInitResidual,
  });
}

const spec = (d: number): Spec => SPECS.find((s) => s.depth === d)!;

/** torchvision's ResNet-18. @example `resnet18().numParameters() // 11689512` */
export const resnet18 = (o: ResNetOptions = {}): ResNet => build(spec(18), 'imagenet', o);
/** torchvision's ResNet-34. @example `resnet34().numParameters() // 21797672` */
export const resnet34 = (o: ResNetOptions = {}): ResNet => build(spec(34), 'imagenet', o);
/** torchvision's ResNet-50. @example `resnet50().numParameters() // 25557032` */
export const resnet50 = (o: ResNetOptions = {}): ResNet => build(spec(50), 'imagenet', o);
/** torchvision's ResNet-101. @example `resnet101().numParameters() // 44549160` */
export const resnet101 = (o: ResNetOptions = {}): ResNet => build(spec(101), 'imagenet', o);
/** torchvision's ResNet-152. @example `resnet152().numParameters() // 60192808` */
export const resnet152 = (o: ResNetOptions = {}): ResNet => build(spec(152), 'imagenet', o);
/** ResNet-18 with the CIFAR stem (pytorch-cifar layout). @example `resnet18Cifar().numParameters() // 11173962` */
export const resnet18Cifar = (o: ResNetOptions = {}): ResNet => build(spec(18), 'cifar', o);
/** ResNet-34 with the CIFAR stem. @example `resnet34Cifar().numParameters() // 21282122` */
export const resnet34Cifar = (o: ResNetOptions = {}): ResNet => build(spec(34), 'cifar', o);
/** ResNet-50 with the CIFAR stem. @example `resnet50Cifar().numParameters() // 23520842` */
export const resnet50Cifar = (o: ResNetOptions = {}): ResNet => build(spec(50), 'cifar', o);

for (const s of SPECS) {
  const name = `resnet${s.depth}`;
  const card: ModelCard = {
    name,
    family: 'resnet',
    description: `ResNet-${s.depth} for ImageNet, torchvision layout (${s.block} units ${s.layers.join('-')})`,
    params: s.params,
    macs: s.macs,
    inputSize: [224, 224, 3],
    minInputSize: 32,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    numClasses: 1000,
    referenceAccuracy: {
      top1: s.top1,
      dataset: 'ImageNet-1k val (single 224 crop)',
      source: `torchvision ResNet${s.depth}_Weights.IMAGENET1K_V1`,
    },
    citation: HE_2016,
  };
  registerModel(name, (o) => build(s, 'imagenet', o), card, { accepts: ['zeroInitResidual'] });
  if (!s.cifar) continue;
  const c = s.cifar;
  registerModel(
    `${name}_cifar`,
    (o) => build(s, 'cifar', o),
    {
      ...card,
      name: `${name}_cifar`,
      family: 'resnet_cifar_stem',
      description: `ResNet-${s.depth} with a 3×3 stride-1 stem and no max-pool, for 32×32 inputs (pytorch-cifar)`,
      params: c.params,
      macs: c.macs,
      inputSize: [32, 32, 3],
      minInputSize: 8,
      mean: CIFAR10_MEAN,
      std: CIFAR10_STD,
      numClasses: 10,
      referenceAccuracy:
        c.acc === null ? null : { top1: c.acc, dataset: 'CIFAR-10 test', source: 'pytorch-cifar README (K. Liu)' },
      citation: `${HE_2016}; ${PYTORCH_CIFAR}`,
    },
    { accepts: ['zeroInitResidual'] },
  );
}
