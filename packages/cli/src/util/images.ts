import type { Tensor } from '@residual/tensor';
import type { ZooEntry } from '../zoo';
import { CliError } from './errors';

/**
 * Decodes image files into one normalized NHWC float32 batch, as torchvision's evaluation
 * transforms do: ImageNet-sized models resize the shorter side to inputSize / 0.875 (256 for 224)
 * and take the center crop; small models (CIFAR, Fashion-MNIST) resize to inputSize × inputSize.
 */
export async function loadImages(paths: string[], entry: ZooEntry): Promise<Tensor> {
  const { tf } = await import('@residual/tensor');
  const sharp = (await import('sharp')).default;
  const size = entry.inputSize ?? 224;
  const channels = entry.inChannels ?? 3;
  // The card's statistics fit its default input; a grey-scale model here is a Fashion-MNIST one.
  const fits = entry.mean?.length === channels && entry.std?.length === channels;
  const { datasetInfo } = await import('@residual/datasets');
  const fallback = datasetInfo(channels === 1 ? 'fashion-mnist' : 'imagenet');
  const mean = fits ? entry.mean : [...fallback.mean];
  const std = fits ? entry.std : [...fallback.std];
  const pixels = new Float32Array(paths.length * size * size * channels);
  for (let n = 0; n < paths.length; n++) {
    const path = paths[n]!;
    let img = sharp(path).rotate().removeAlpha();
    img = channels === 1 ? img.grayscale() : img.toColourspace('srgb');
    let meta;
    try {
      meta = await sharp(path).rotate().metadata();
    } catch (e) {
      throw new CliError(`${path}: cannot decode image (${(e as Error).message})`);
    }
    // EXIF orientations 5-8 rotate by 90°, swapping width and height after rotate().
    const swap = (meta.orientation ?? 1) >= 5;
    const w0 = (swap ? meta.height : meta.width) ?? size;
    const h0 = (swap ? meta.width : meta.height) ?? size;
    if (size >= 128) {
      const resize = Math.round(size / 0.875);
      const scale = resize / Math.min(w0, h0);
      const w = Math.max(size, Math.round(w0 * scale));
      const h = Math.max(size, Math.round(h0 * scale));
      img = img.resize(w, h, { fit: 'fill' }).extract({
        left: Math.floor((w - size) / 2),
        top: Math.floor((h - size) / 2),
        width: size,
        height: size,
      });
    } else {
      img = img.resize(size, size, { fit: 'fill' });
    }
    let decoded;
    try {
      decoded = await img.raw().toBuffer({ resolveWithObject: true });
    } catch (e) {
      // libvips reports a truncated file only while decoding pixels ("premature end of JPEG image").
      throw new CliError(`${path}: cannot decode image (${(e as Error).message.trim()})`);
    }
    const { data, info } = decoded;
    if (info.channels !== channels) {
      throw new CliError(`${path}: decoded ${info.channels} channels, ${entry.name} takes ${channels}`);
    }
    const off = n * size * size * channels;
    for (let i = 0; i < size * size * channels; i++) {
      const c = i % channels;
      pixels[off + i] = (data[i]! / 255 - mean[c]!) / std[c]!;
    }
  }
  return tf.tensor4d(pixels, [paths.length, size, size, channels]);
}
