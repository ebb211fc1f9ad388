import type { Rng } from '@residual/tensor';
import { Conv2d } from '../layers/conv';

/** Where a block's convolution differs from the plain 3×3 / 1×1 (ResNeXt groups, dilation, stride). */
export interface BlockConvOptions {
  stride?: number;
  dilation?: number;
  groups?: number;
  rng?: Rng;
}

/**
 * The 3×3 convolution of every residual block (torchvision's `conv3x3`): padding = dilation keeps the
 * size at stride 1; no bias, since a BatchNorm always follows or precedes it.
 */
export function conv3x3(inChannels: number, outChannels: number, options: BlockConvOptions = {}): Conv2d {
  const { stride = 1, dilation = 1, groups = 1, rng } = options;
  return new Conv2d(inChannels, outChannels, 3, {
    stride,
    padding: dilation,
    dilation,
    groups,
    bias: false,
    rng,
  });
}

/** The 1×1 convolution of bottlenecks and projection shortcuts (torchvision's `conv1x1`). */
export function conv1x1(
  inChannels: number,
  outChannels: number,
  options: Pick<BlockConvOptions, 'stride' | 'rng'> = {},
): Conv2d {
  const { stride = 1, rng } = options;
  return new Conv2d(inChannels, outChannels, 1, { stride, bias: false, rng });
}

/** Width of a bottleneck's 3×3 layer: ⌊planes · baseWidth/64⌋ · groups (ResNeXt, wide ResNets). */
export function bottleneckWidth(planes: number, baseWidth: number, groups: number): number {
  return Math.floor(planes * (baseWidth / 64)) * groups;
}
