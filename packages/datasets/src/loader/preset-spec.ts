import type { SampleTransform } from '../types';
import type { TransformSpec } from './spec';

/**
 * Module name that the DataLoader resolves to these built-in presets in every thread; the `module`
 * of every {@link presetSpec} result.
 * @example
 * ```ts
 * import { PRESETS_MODULE, type TransformSpec } from '@residual/datasets';
 * const spec: TransformSpec = { module: PRESETS_MODULE, options: { name: 'cifar-eval' } };
 * ```
 */
export const PRESETS_MODULE = '@residual/datasets/presets';

export type { PresetName, PresetOptions } from './preset-options';
import type { PresetName, PresetOptions } from './preset-options';

/**
 * Per-channel (RGB) mean and std for the DataLoader's `normalize` (torchvision's ImageNet values).
 * @example
 * ```ts
 * import { DataLoader, IMAGENET_NORMALIZE, ImageNet, presetSpec } from '@residual/datasets';
 * const val = await ImageNet.load({ root: '/data/imagenet', split: 'val' });
 * const loader = new DataLoader(val, { batchSize: 64, transform: presetSpec('imagenet-eval'), normalize: IMAGENET_NORMALIZE });
 * ```
 */
export const IMAGENET_NORMALIZE = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
/**
 * Per-channel (RGB) mean and std of the CIFAR-10 training set, commonly used for the DataLoader's `normalize`.
 * @example
 * ```ts
 * import { CIFAR10, CIFAR10_NORMALIZE, DataLoader, presetSpec } from '@residual/datasets';
 * const train = await CIFAR10.load({ root: '/data' });
 * const loader = new DataLoader(train, { batchSize: 128, shuffle: true, transform: presetSpec('cifar-train'), normalize: CIFAR10_NORMALIZE });
 * ```
 */
export const CIFAR10_NORMALIZE = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };

/**
 * A {@link TransformSpec} for a built-in recipe, usable with any number of workers.
 *
 * @example
 * ```ts
 * new DataLoader(train, { batchSize: 128, shuffle: true, numWorkers: 2, transform: presetSpec('cifar-train'), normalize: CIFAR10_NORMALIZE });
 * ```
 */
export function presetSpec(name: PresetName, options: Omit<PresetOptions, 'name'> = {}): TransformSpec {
  return { module: PRESETS_MODULE, export: 'createTransform', options: { ...options, name } };
}

/**
 * Build a preset transform on this thread (for use outside the DataLoader). `@residual/transforms` is
 * imported lazily, only when a preset is actually built.
 *
 * @example
 * ```ts
 * const t = await loadPresetTransform({ name: 'cifar-train' });
 * const out = t.apply(img, Rng.derive(0, 0, 17));
 * ```
 */
export async function loadPresetTransform(options: PresetOptions): Promise<SampleTransform> {
  const { createPresetTransform } = await import('./presets');
  return createPresetTransform(options);
}
