// Wide residual networks (Zagoruyko & Komodakis 2016): pre-activation units, depth 6n+4, widths
// 16k/32k/64k after a 16-channel 3×3 stem.
import { registerModel, type CreateModelOptions } from '../registry';
import { PreActResNet } from '../nets/resnet';
import { CIFAR10_MEAN, CIFAR10_STD, ZAGORUYKO_2016 } from './common';

/** Options of {@link wideResNet}. */
export interface WideResNetOptions extends Pick<CreateModelOptions, 'numClasses' | 'inChannels' | 'dropRate' | 'rng'> {
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
 * import { wideResNet } from '@residual/zoo';
 * wideResNet({ depth: 16, widenFactor: 2 }).numParameters(); // 693498 (WRN-16-2)
 * ```
 */
export function wideResNet(o: WideResNetOptions = {}): PreActResNet {
  const depth = o.depth ?? 28;
  const k = o.widenFactor ?? 10;
  const n = (depth - 4) / 6;
  if (!Number.isInteger(n) || n < 1) throw new Error(`wide_resnet: depth must be 6n+4 (10, 16, 22, 28, …), got ${depth}`);
  if (!Number.isInteger(k) || k < 1) throw new Error(`wide_resnet: widenFactor must be a positive integer, got ${k}`);
  return new PreActResNet({
    name: `wide_resnet${depth}_${k}`,
    layers: [n, n, n],
    widths: [16 * k, 32 * k, 64 * k],
    stemWidth: 16,
    numClasses: o.numClasses ?? 10,
    inChannels: o.inChannels,
    dropRate: o.dropRate,
    rng: o.rng,
  });
}

/** WRN-28-10 (36.5M parameters). @example `wideResnet28_10().numParameters() // 36479194` */
export const wideResnet28_10 = (o: Omit<WideResNetOptions, 'depth' | 'widenFactor'> = {}): PreActResNet =>
  wideResNet({ ...o, depth: 28, widenFactor: 10 });

registerModel('wide_resnet28_10', wideResnet28_10, {
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
}, { accepts: ['dropRate'] });
