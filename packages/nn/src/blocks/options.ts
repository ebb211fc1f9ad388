import type { Rng } from '@residual/tensor';
import type { Module } from '../module';

/**
 * How a block joins its input to its output (He et al. 2016, §4.1 options):
 * - `'A'`: parameter-free — identity, or strided identity with zero-padded channels where the shape
 *   changes.
 * - `'B'`: identity, and a 1×1 convolution (+ BatchNorm for post-activation blocks) where the shape
 *   changes — torchvision's `downsample`.
 * - `'C'`: a 1×1 projection on every block.
 */
export type ShortcutType = 'A' | 'B' | 'C';

/** Options shared by every residual block; defaults as torchvision. */
export interface BlockOptions {
  /** Stride of the block (on the 3×3 convolution, as torchvision ResNet v1.5). @defaultValue 1 */
  stride?: number;
  /** Shortcut type. @defaultValue 'B' */
  shortcut?: ShortcutType;
  /** Remove the shortcut entirely (the "plain" networks of He et al. 2016). @defaultValue false */
  plain?: boolean;
  /** Groups of the 3×3 convolution (ResNeXt cardinality; bottlenecks only). @defaultValue 1 */
  groups?: number;
  /** Width per group (bottlenecks: width = planes · baseWidth/64 · groups). @defaultValue 64 */
  baseWidth?: number;
  /** Dilation of the 3×3 convolution (bottlenecks only). @defaultValue 1 */
  dilation?: number;
  /** A ready-made shortcut module, used instead of the one `shortcut` would build (torchvision's `downsample` argument). */
  downsample?: Module | null;
  /** Generator the weight init draws from. @defaultValue globalRng() */
  rng?: Rng;
}

export function resolve(options: BlockOptions) {
  const o = {
    stride: options.stride ?? 1,
    shortcut: options.shortcut ?? 'B',
    plain: options.plain ?? false,
    groups: options.groups ?? 1,
    baseWidth: options.baseWidth ?? 64,
    dilation: options.dilation ?? 1,
    rng: options.rng,
  };
  if (!['A', 'B', 'C'].includes(o.shortcut))
    throw new Error(`unknown shortcut type '${o.shortcut}'; expected 'A', 'B' or 'C'`);
  for (const k of ['stride', 'groups', 'baseWidth', 'dilation'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1)
      throw new Error(`block option ${k} must be a positive integer, got ${o[k]}`);
  }
  return o;
}

/** Which kind of shortcut a block with this shape change needs: none, parameter-free or projection. */
export function shortcutKind(
  o: ReturnType<typeof resolve>,
  inC: number,
  outC: number,
  explicit: Module | null | undefined,
): 'none' | 'identity' | 'A' | 'projection' | 'explicit' {
  if (o.plain) return 'none';
  if (explicit !== undefined && explicit !== null) return 'explicit';
  const changes = o.stride !== 1 || inC !== outC;
  if (o.shortcut === 'C') return 'projection';
  if (!changes) return 'identity';
  return o.shortcut === 'A' ? 'A' : 'projection';
}
