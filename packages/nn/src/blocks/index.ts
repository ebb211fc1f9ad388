import { BasicBlock, Bottleneck, ResidualBlock } from './residual';
import { PreActBasicBlock, PreActBottleneck } from './preact';
import type { BlockOptions } from './options';

export { BasicBlock, Bottleneck, ResidualBlock, PreActBasicBlock, PreActBottleneck };
export type { BlockOptions, ShortcutType } from './options';

/** The two block families of ResNet. */
export type BlockType = 'basic' | 'bottleneck';

/**
 * The block class for a type, honouring `preact` (its static `expansion` gives the channel factor).
 *
 * @example
 * ```ts
 * blockClass('bottleneck').expansion; // 4
 * ```
 */
export function blockClass(type: BlockType, preact = false) {
  if (type === 'basic') return preact ? PreActBasicBlock : BasicBlock;
  if (type === 'bottleneck') return preact ? PreActBottleneck : Bottleneck;
  throw new Error(`unknown block type '${type as string}'; expected 'basic' or 'bottleneck'`);
}

/**
 * Build a block by type, choosing the pre-activation variant when `options.preact` is set.
 *
 * @example
 * ```ts
 * import { createBlock } from '@residual/nn';
 * const b = createBlock('bottleneck', 64, 64, { preact: true }); // PreActBottleneck, 256 channels out
 * ```
 */
export function createBlock(
  type: BlockType,
  inplanes: number,
  planes: number,
  options: BlockOptions = {},
): ResidualBlock {
  const Block = blockClass(type, options.preact ?? false);
  return new Block(inplanes, planes, options);
}
