import type { Tensor } from '@residual/tensor';
import type { WeightsPreprocessing } from '@residual/zoo';
import type { ZooEntry } from '../zoo';
import { CliError } from './errors';

/** How predict prepares an image: a resize, an optional centre crop, normalisation. */
export interface ImagePreprocessing {
  /** `number`: shorter side to this (torchvision `Resize(n)`); `[h, w]`: exactly this size. */
  resize: number | [number, number];
  /** Square centre crop after the resize, if any. */
  crop?: number;
  interpolation: WeightsPreprocessing['interpolation'];
  mean: number[];
  std: number[];
}

/**
 * The preprocessing of a model without published weights, from its card (torchvision's evaluation
 * transforms): ImageNet-sized inputs resize the shorter side to inputSize / 0.875 (256 for 224) and take
 * the centre crop; small ones (CIFAR, Fashion-MNIST) resize to inputSize × inputSize.
 */
export async function cardPreprocessing(entry: ZooEntry): Promise<ImagePreprocessing> {
  const size = entry.inputSize;
  const channels = entry.inChannels;
  // The card's statistics fit its default input; a grey-scale model here is a Fashion-MNIST one.
  const fits = entry.mean.length === channels && entry.std.length === channels;
  const { datasetInfo } = await import('@residual/datasets');
  const fallback = datasetInfo(channels === 1 ? 'fashion-mnist' : 'imagenet');
  const mean = fits ? entry.mean : [...fallback.mean];
  const std = fits ? entry.std : [...fallback.std];
  return size >= 128
    ? { resize: Math.round(size / 0.875), crop: size, interpolation: 'bilinear', mean, std }
    : { resize: [size, size], interpolation: 'bilinear', mean, std };
}

/** The preprocessing a published weight set was evaluated with (torchvision's `weights.transforms()`). */
export function weightsPreprocessing(p: WeightsPreprocessing): ImagePreprocessing {
  return { resize: p.resizeSize, crop: p.cropSize, interpolation: p.interpolation, mean: p.mean, std: p.std };
}

/**
 * Decodes image files into one normalized NHWC float32 batch through the library's one decode path:
 * `@residual/datasets`' `decodeImage` (as PIL: EXIF orientation not applied, as torchvision does not
 * either — `warn` is told about files that carry one) and `@residual/transforms`' torchvision-equal
 * resize and crop. Grey-scale models get ITU-R 601 luma, as torchvision's `Grayscale`.
 */
export async function loadImages(
  paths: string[],
  channels: number,
  pre: ImagePreprocessing,
  warn: (line: string) => void = () => {},
): Promise<Tensor> {
  const { tf } = await import('@residual/tensor');
  const { decodeImage } = await import('@residual/datasets');
  const T = await import('@residual/transforms');
  let pixels: Float32Array | undefined;
  let per = 0;
  let shape: [number, number] | undefined;
  for (let n = 0; n < paths.length; n++) {
    const path = paths[n]!;
    let img;
    try {
      img = await decodeImage(path);
    } catch (e) {
      // DatasetError's message already starts with the file.
      throw new CliError((e as Error).message.startsWith(path) ? (e as Error).message : `${path}: ${(e as Error).message}`);
    }
    if (img.exifOrientation !== undefined) {
      warn(`${path}: EXIF orientation ${img.exifOrientation} not applied (as torchvision): the model sees the image as stored`);
    }
    let x: import('@residual/transforms').Image = channels === 1 ? T.rgbToGrayscale(img, 1) : img;
    if (channels !== 1 && channels !== 3) throw new CliError(`images decode to RGB or grey; the model takes ${channels} channels`);
    x = T.resize(x, pre.resize, { interpolation: pre.interpolation });
    if (pre.crop !== undefined) x = T.centerCrop(x, pre.crop);
    if (!shape) {
      shape = [x.height, x.width];
      per = x.height * x.width * channels;
      pixels = new Float32Array(paths.length * per);
    }
    T.normalizeToFloat32(x, { mean: pre.mean, std: pre.std, out: pixels!.subarray(n * per, (n + 1) * per) });
  }
  return tf.tensor4d(pixels!, [paths.length, shape![0], shape![1], channels]);
}
