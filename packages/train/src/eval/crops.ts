import { tf } from '@residual/tensor';

/** Python's round(): halves go to the even neighbour (torchvision's centre crop uses it). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d !== 0.5) return Math.round(v);
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The ten crops of a batch `[N, H, W, C]`: four corners and the centre, of the images and of their
 * horizontal mirrors (torchvision's `TenCrop` on a batch, same order). The caller disposes them.
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { tenCropBatch } from '@residual/train';
 * const crops = tenCropBatch(tf.zeros([2, 256, 256, 3]) as tf.Tensor4D, 224); // 10 × [2, 224, 224, 3]
 * ```
 */
export function tenCropBatch(x: tf.Tensor4D, size: number): tf.Tensor4D[] {
  const [, h, w] = x.shape;
  if (size > h || size > w) throw new Error(`@residual/train tenCrop: crop ${size} is larger than the images (${h}×${w})`);
  const tops = [0, 0, h - size, h - size, roundHalfEven((h - size) / 2)];
  const lefts = [0, w - size, 0, w - size, roundHalfEven((w - size) / 2)];
  return tf.tidy(() => {
    const crops: tf.Tensor4D[] = [];
    for (const img of [x, tf.reverse(x, 2) as tf.Tensor4D])
      for (let k = 0; k < 5; k++) crops.push(tf.slice(img, [0, tops[k], lefts[k], 0], [-1, size, size, -1]));
    return crops;
  });
}

/**
 * Resize a batch so its shorter side is `side`, the longer one `floor(long · side / short)` (torchvision's
 * `Resize(side)` on tensors: bilinear, half-pixel centres, no antialiasing).
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { resizeShorterSide } from '@residual/train';
 * resizeShorterSide(tf.zeros([1, 240, 320, 3]) as tf.Tensor4D, 480).shape; // [1, 480, 640, 3]
 * ```
 */
export function resizeShorterSide(x: tf.Tensor4D, side: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const [nh, nw] = h <= w ? [side, Math.floor((w * side) / h)] : [Math.floor((h * side) / w), side];
  if (nh === h && nw === w) return tf.clone(x);
  return tf.image.resizeBilinear(x, [nh, nw], false, true);
}
