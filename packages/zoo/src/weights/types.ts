/** How the images a weight set was trained and evaluated on were prepared (torchvision's `weights.transforms()`). */
export interface WeightsPreprocessing {
  /** Shorter side resized to this (torchvision `Resize(resizeSize)`), before the crop. */
  resizeSize: number;
  /** Centre crop, square. */
  cropSize: number;
  /** Resampling of the resize (antialiased, as torchvision's on PIL images). */
  interpolation: 'bilinear' | 'bicubic' | 'nearest';
  /** Per-channel mean on a 0..1 scale, subtracted after the crop. */
  mean: number[];
  /** Per-channel standard deviation the input is divided by. */
  std: number[];
}

/**
 * A published weight set of a model (torchvision's `Weights`, timm's pretrained cfg): where it is, how to
 * check it, how well it does and the preprocessing it expects.
 */
export interface PretrainedWeights {
  /** The name `createModel(name, { weights })` takes, e.g. `'IMAGENET1K_V2'`. */
  tag: string;
  url: string;
  /**
   * Leading hex digits of the file's SHA-256 — torchvision puts them in the file name
   * (`resnet50-11ad3fa6.pth`) and torch.hub checks them; so do we.
   */
  sha256Prefix: string;
  numClasses: number;
  /** Dataset whose class names the head's outputs are (`datasetInfo(classes).classNames` in `@residual/datasets`). */
  classes: 'imagenet';
  /** Reported accuracy in percent. */
  accuracy: { top1: number; top5: number; dataset: string };
  preprocessing: WeightsPreprocessing;
  /** How the weights were trained. */
  recipe: string;
  /** Where the numbers come from. */
  source: string;
  /** torchvision's `DEFAULT` for the model (`weights: 'DEFAULT'` picks it). */
  isDefault: boolean;
}
