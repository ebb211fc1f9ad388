import { tf } from '@residual/tensor';

/**
 * The ten crops of a batch `[N, H, W, C]`: four corners and the centre, of the images and of their
 * horizontal mirrors (torchvision's `TenCrop` on a batch).
 */
export function tenCropBatch(x: tf.Tensor4D, size: number): tf.Tensor4D[] {
  const [, h, w] = x.shape;
  if (size > h || size > w) throw new Error(`@residual/train tenCrop: crop ${size} is larger than the images (${h}×${w})`);
  const tops = [0, 0, h - size, h - size, Math.round((h - size) / 2)];
  const lefts = [0, w - size, 0, w - size, Math.round((w - size) / 2)];
  return tf.tidy(() => {
    const crops: tf.Tensor4D[] = [];
    for (const img of [x, tf.reverse(x, 2) as tf.Tensor4D])
      for (let k = 0; k < 5; k++) crops.push(tf.slice(img, [0, tops[k], lefts[k], 0], [-1, size, size, -1]));
    return crops;
  });
}

/** Resize a batch so its shorter side is `side` (bilinear, half-pixel centres as PIL/torchvision). */
export function resizeShorterSide(x: tf.Tensor4D, side: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const [nh, nw] = h <= w ? [side, Math.round((w * side) / h)] : [Math.round((h * side) / w), side];
  if (nh === h && nw === w) return tf.clone(x);
  return tf.image.resizeBilinear(x, [nh, nw], false, true);
}
