export { BasicBlock, Bottleneck, ResidualBlock } from './residual';
export { PreActBasicBlock, PreActBottleneck, WideBasicBlock } from './preact';
export type { BlockOptions, ShortcutType } from './options';
