// ResNeXt-50 32×4d (Xie et al. 2017) in torchvision's layout: bottleneck units whose 3×3 convolution
// has 32 groups of width 4 at the first stage.
import { registerModel } from '../registry';
import { ResNet } from '../nets/resnet';
import type { ResNetOptions } from './resnet';
import { IMAGENET_MEAN, IMAGENET_STD, XIE_2017 } from './common';

/**
 * torchvision's `resnext50_32x4d`.
 *
 * @example
 * ```ts
 * import { resnext50_32x4d } from '@residual/zoo';
 * resnext50_32x4d().numParameters(); // 25028904
 * ```
 */
export function resnext50_32x4d(o: ResNetOptions = {}): ResNet {
  return new ResNet({
    name: 'resnext50_32x4d',
    block: 'bottleneck',
    layers: [3, 4, 6, 3],
    widths: [64, 128, 256, 512],
    stem: 'imagenet',
    numClasses: o.numClasses ?? 1000,
    inChannels: o.inChannels,
    rng: o.rng,
    blockOptions: { groups: 32, baseWidth: 4 },
    zeroInitResidual: o.zeroInitResidual,
  });
}

registerModel('resnext50_32x4d', resnext50_32x4d, {
  name: 'resnext50_32x4d',
  family: 'resnext',
  description: 'ResNeXt-50 (32×4d) for ImageNet, torchvision layout',
  params: 25028904,
  macs: 4230479872,
  inputSize: [224, 224, 3],
  minInputSize: 32,
  mean: IMAGENET_MEAN,
  std: IMAGENET_STD,
  numClasses: 1000,
  referenceAccuracy: {
    top1: 77.618,
    dataset: 'ImageNet-1k val (single 224 crop)',
    source: 'torchvision ResNeXt50_32X4D_Weights.IMAGENET1K_V1',
  },
  citation: XIE_2017,
}, { accepts: ['zeroInitResidual'] });
