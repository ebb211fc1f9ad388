// He et al. (2016)'s test protocols on whole images (§3.4): fully-convolutional multi-scale testing
// (the shorter side resized to each scale, the whole image through the network, scores averaged) and
// 10-crop testing on the resized image, with the scales made from the uint8 image by the same
// antialiased resize as training.
import { tf } from '@residual/tensor';
import { hflip, normalizeToFloat32, resize, tenCrop, type Image, type Interpolation } from '@residual/transforms';
import { Meter, topkHits } from '../loss/metrics';
import type { ModelLike } from '../model/types';
import { NonFiniteEvalError, type EvaluateResult } from './evaluate';

/** One labelled uint8 HWC image, as `@residual/datasets` gives them. */
export interface LabelledImage {
  image: Image | null;
  label: number;
}

/** What {@link evaluateImages} reads: any dataset of whole uint8 images (ImageFolder, ImageNet, CIFAR…). */
export interface ImageSource {
  readonly length: number;
  get(index: number): LabelledImage | Promise<LabelledImage>;
}

/** Options of {@link imageScores} and {@link evaluateImages}. */
export interface PaperEvalOptions {
  /**
   * Shorter sides the image is resized to (He et al.'s multi-scale test: {224, 256, 384, 480, 640}).
   * @defaultValue [256] with `tenCrop`, else [224]
   */
  scales?: number[];
  /**
   * Ten crops of `cropSize` (four corners, centre and their mirror images) of each resized image,
   * instead of the whole image. @defaultValue false (fully convolutional: the whole resized image)
   */
  tenCrop?: boolean;
  /** Crop side for `tenCrop`. @defaultValue 224 */
  cropSize?: number;
  /** Fully convolutional: also run the mirrored image at each scale. (Ten crops are mirrored already.) @defaultValue false */
  flip?: boolean;
  /**
   * How views (scales, crops, mirrors) are combined: `'softmax'` averages their class probabilities
   * (the paper's "average the scores"); `'logits'` averages the logits and takes one softmax (as
   * torchvision's TenCrop example averages the outputs). @defaultValue 'softmax'
   */
  average?: 'softmax' | 'logits';
  /** Per-channel normalisation after the resize, on a 0..1 scale (the model's, e.g. its card's). */
  mean: readonly number[];
  std: readonly number[];
  /** Resampling of the resize (antialiased, as the training transforms). @defaultValue 'bilinear' */
  interpolation?: Interpolation;
}

/** Every view of one image the protocol asks for, grouped into batches of equal size. */
function views(img: Image, o: PaperEvalOptions): Image[][] {
  const scales = o.scales?.length ? o.scales : [o.tenCrop ? 256 : 224];
  const crop = o.cropSize ?? 224;
  const groups: Image[][] = [];
  const cropped: Image[] = [];
  for (const s of scales) {
    if (!Number.isInteger(s) || s < 1) throw new RangeError(`@residual/train evaluateImages: scales must be positive integers, got ${s}`);
    const r = resize(img, s, { interpolation: o.interpolation ?? 'bilinear', antialias: true });
    if (o.tenCrop) {
      if (r.height < crop || r.width < crop) {
        throw new RangeError(`@residual/train evaluateImages: a ${r.height}×${r.width} image (scale ${s}) is smaller than the ${crop} crop`);
      }
      cropped.push(...tenCrop(r, crop));
    } else groups.push(o.flip ? [r, hflip(r)] : [r]);
  }
  if (cropped.length) groups.push(cropped);
  return groups;
}

function batchTensor(images: Image[], o: PaperEvalOptions): tf.Tensor4D {
  const { height: h, width: w, channels: c } = images[0]!;
  const per = h * w * c;
  const buf = new Float32Array(per * images.length);
  images.forEach((im, i) => normalizeToFloat32(im, { mean: [...o.mean], std: [...o.std], out: buf.subarray(i * per, (i + 1) * per) }));
  return tf.tensor4d(buf, [images.length, h, w, c]);
}

/**
 * The class probabilities the protocol gives one image: every view (each scale, its mirror or its ten
 * crops) through the model in eval mode, combined by `average`. The model's mode is left as it was.
 *
 * @example
 * ```ts
 * import { imageScores } from '@residual/train';
 * const p = await imageScores(model, img, { scales: [224, 256, 384, 480, 640], mean, std }); // Float32Array [classes]
 * ```
 */
export async function imageScores(model: ModelLike, image: Image, options: PaperEvalOptions): Promise<Float32Array> {
  const wasTraining = model.training;
  model.eval();
  try {
    const groups = views(image, options);
    const logitsMode = options.average === 'logits';
    let n = 0;
    let sum: tf.Tensor1D | null = null;
    for (const g of groups) {
      const part = tf.tidy(() => {
        const out = model.forward(batchTensor(g, options));
        return tf.sum(logitsMode ? out : tf.softmax(out), 0) as tf.Tensor1D;
      });
      n += g.length;
      const next: tf.Tensor1D = sum ? tf.add(sum, part) : part;
      if (sum) tf.dispose([sum, part]);
      sum = next;
    }
    const scores = tf.tidy(() => {
      const mean = tf.div(sum!, n);
      return logitsMode ? tf.softmax(mean) : mean;
    });
    sum!.dispose();
    const data = (await scores.data()) as Float32Array;
    scores.dispose();
    return data;
  } finally {
    model.train(wasTraining);
  }
}

/**
 * Evaluate on whole images with the paper's protocols (see {@link PaperEvalOptions}): each image at its
 * own size and aspect ratio (no square centre crop first), views of equal size batched together.
 * Top-1/top-5 and the cross-entropy of the combined probabilities. NaN or infinite scores throw
 * {@link NonFiniteEvalError}.
 *
 * @example
 * ```ts
 * import { evaluateImages } from '@residual/train';
 * import { datasetInfo } from '@residual/datasets';
 * const val = await datasetInfo('imagenet').load({ split: 'test', root: 'data/imagenet' });
 * const r = await evaluateImages(model, val, { scales: [224, 256, 384, 480, 640], mean, std });
 * const r10 = await evaluateImages(model, val, { tenCrop: true, mean, std }); // 10 crops of 224 from 256
 * ```
 */
export async function evaluateImages(
  model: ModelLike,
  images: ImageSource,
  options: PaperEvalOptions & { limit?: number; onImage?(done: number, total: number): void },
): Promise<EvaluateResult> {
  const total = Math.min(images.length, options.limit ?? Infinity);
  const meter = new Meter();
  for (let i = 0; i < total; i++) {
    const { image, label } = await images.get(i);
    if (!image) throw new Error(`@residual/train evaluateImages: sample ${i} has no image (a skipped corrupt file?)`);
    const p = await imageScores(model, image, options);
    const picked = p[label];
    const loss = picked === undefined ? NaN : -Math.log(Math.max(picked, 1e-30));
    meter.add(loss, 1, topkHits(p, [label], p.length));
    options.onImage?.(i + 1, total);
  }
  if (meter.count === 0) throw new Error('@residual/train evaluateImages: the data yielded no sample (an empty split or dataset?)');
  if (meter.nonFinite > 0 || !Number.isFinite(meter.loss)) throw new NonFiniteEvalError(meter.nonFinite, meter.count, meter.loss);
  return { loss: meter.loss, acc1: meter.acc1, acc5: meter.acc5, top1Error: 1 - meter.acc1, top5Error: 1 - meter.acc5, count: meter.count };
}
