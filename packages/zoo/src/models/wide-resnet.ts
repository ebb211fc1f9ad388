// Wide residual networks for CIFAR (Zagoruyko & Komodakis 2016): pre-activation units, depth 6n+4,
// widths 16k/32k/64k after a 16-channel 3×3 stem, optional dropout inside each unit. (torchvision's
// ImageNet wide_resnet50_2/101_2 are bottleneck ResNets and live in resnet.ts, as in torchvision.)
import { registerModel, type ModelOptions } from '../registry';
import { PreActResNet } from './preact-resnet';
import { CIFAR10_MEAN, CIFAR10_STD, ZAGORUYKO_2016 } from './common';

const WIDE_OPTIONS = ['dropRate'] as const;
/** Options of {@link wide_resnet28_10}. */
export type WideResNetOptions = ModelOptions<typeof WIDE_OPTIONS>;

/** Configuration of {@link WideResNet}. */
export interface WideResNetConfig extends WideResNetOptions {
  /** Depth 6n+4. @defaultValue 28 */
  depth?: number;
  /** Width multiplier k. @defaultValue 10 */
  widenFactor?: number;
}

/**
 * WRN-depth-k for 32×32 inputs.
 *
 * @example
 * ```ts
 * import { WideResNet } from '@residual/zoo';
 * new WideResNet({ depth: 16, widenFactor: 2 }).numParameters(); // 693498 (WRN-16-2)
 * ```
 */
export class WideResNet extends PreActResNet {
  constructor(config: WideResNetConfig = {}) {
    const depth = config.depth ?? 28;
    const k = config.widenFactor ?? 10;
    const n = (depth - 4) / 6;
    if (!Number.isInteger(n) || n < 1) throw new Error(`wide_resnet: depth must be 6n+4 (10, 16, 22, 28, …), got ${depth}`);
    if (!Number.isInteger(k) || k < 1) throw new Error(`wide_resnet: widenFactor must be a positive integer, got ${k}`);
    super({
      name: `wide_resnet${depth}_${k}`,
      layers: [n, n, n],
      widths: [16 * k, 32 * k, 64 * k],
      stemWidth: 16,
      numClasses: config.numClasses ?? 10,
      inChannels: config.inChannels,
      dropRate: config.dropRate,
      rng: config.rng,
    });
  }
}

/** WRN-28-10 (36.5M parameters). @example `wide_resnet28_10().numParameters() // 36479194` */
export const wide_resnet28_10 = registerModel({
  card: {
    name: 'wide_resnet28_10',
    family: 'wide_resnet',
    description: 'WRN-28-10 for CIFAR: pre-activation units, widths 160/320/640, optional dropout (dropRate)',
    params: 36479194,
    macs: 5243328768,
    inputSize: [32, 32, 3],
    minInputSize: 4,
    mean: CIFAR10_MEAN,
    std: CIFAR10_STD,
    numClasses: 10,
    referenceAccuracy: {
      top1Error: 4.17,
      dataset: 'CIFAR-10 test',
      source: 'Zagoruyko & Komodakis 2016 (WRN-28-10 without dropout; 3.89 with dropRate 0.3)',
    },
    citation: ZAGORUYKO_2016,
  },
  accepts: WIDE_OPTIONS,
  build: (o) => new WideResNet({ ...o, depth: 28, widenFactor: 10 }),
});
