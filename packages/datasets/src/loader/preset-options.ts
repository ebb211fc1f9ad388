// The presets' option types, in a file of their own: the presets and the spec helpers both need them,
// and neither may import the other (that was an import cycle).

/** Names of the built-in augmentation recipes. */
export type PresetName = 'cifar-train' | 'cifar-eval' | 'imagenet-train' | 'imagenet-eval';

/** Options of the built-in presets ({@link presetSpec}, {@link loadPresetTransform}). */
export interface PresetOptions {
  name: PresetName;
  /** CIFAR zero padding before the random 32×32 crop. Default 4 (He et al. 2016). */
  padding?: number;
  /** ImageNet crop size. Default 224. */
  cropSize?: number;
  /** ImageNet evaluation resize (shorter side). Default 256. */
  resizeSize?: number;
  /**
   * ImageNet evaluation: skip the `Resize` because the dataset already decodes at that size
   * (`resizeShorterTo`, shrink-on-load). Default `false`.
   */
  resizedOnLoad?: boolean;
}
