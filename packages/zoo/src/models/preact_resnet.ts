// Pre-activation ResNet-18 (He et al. 2016b units in the pytorch-cifar layout: 3×3 stem, four stages
// 64–512), with the final BN-ReLU before pooling that the paper prescribes.
import { registerModel, type CreateModelOptions } from '../registry';
import { PreActResNet } from '../nets/resnet';
import { CIFAR10_MEAN, CIFAR10_STD, HE_2016B, PYTORCH_CIFAR } from './common';

/** Options of {@link preactResnet18}. */
export type PreActResNetOptions = Pick<CreateModelOptions, 'numClasses' | 'inChannels' | 'rng'>;

/**
 * Pre-activation ResNet-18 for 32×32 inputs.
 *
 * @example
 * ```ts
 * import { preactResnet18 } from '@residual/zoo';
 * preactResnet18().numParameters(); // 11172170
 * ```
 */
export function preactResnet18(o: PreActResNetOptions = {}): PreActResNet {
  return new PreActResNet({
    name: 'preact_resnet18',
    layers: [2, 2, 2, 2],
    widths: [64, 128, 256, 512],
    stemWidth: 64,
    numClasses: o.numClasses ?? 10,
    inChannels: o.inChannels,
    rng: o.rng,
  });
}

registerModel('preact_resnet18', preactResnet18, {
  name: 'preact_resnet18',
  family: 'preact_resnet',
  description: 'Pre-activation ResNet-18 for CIFAR (3×3 stem, BN-ReLU-conv units, final BN-ReLU)',
  params: 11172170,
  macs: 555422720,
  inputSize: [32, 32, 3],
  minInputSize: 8,
  mean: CIFAR10_MEAN,
  std: CIFAR10_STD,
  numClasses: 10,
  referenceAccuracy: {
    top1: 95.11,
    dataset: 'CIFAR-10 test',
    source: 'pytorch-cifar README (K. Liu; its variant omits the final BN-ReLU)',
  },
  citation: `${HE_2016B}; ${PYTORCH_CIFAR}`,
});
