import { tf } from '@residual/tensor';

/**
 * `x[:, ::s, ::s, :]` of an NHWC tensor, built from pad/reshape/slice so that it has a gradient on
 * every backend (tfjs has none for strided slices).
 *
 * @example
 * ```ts
 * subsample(tf.zeros([1, 5, 5, 3]), 2).shape; // [1, 3, 3, 3]
 * ```
 */
export function subsample(x: tf.Tensor4D, stride: number | readonly [number, number]): tf.Tensor4D {
  const [sh, sw] = typeof stride === 'number' ? [stride, stride] : stride;
  if (sh === 1 && sw === 1) return x.clone();
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const oh = Math.ceil(h / sh);
    const ow = Math.ceil(w / sw);
    // Pad only where h or w is not a multiple of the stride: a zero pad is still a full copy (forward and
    // backward), the largest tensor copy of an option-A shortcut.
    const exact = oh * sh === h && ow * sw === w;
    const padded = exact
      ? x
      : tf.pad(x, [
          [0, 0],
          [0, oh * sh - h],
          [0, ow * sw - w],
          [0, 0],
        ]);
    const grid = tf.reshape(padded, [n, oh, sh, ow, sw, c]);
    return tf.reshape(tf.slice(grid, [0, 0, 0, 0, 0, 0], [n, oh, 1, ow, 1, c]), [n, oh, ow, c]);
  });
}

/**
 * The parameter-free shortcut of He et al.'s option A: the strided identity with the new channels
 * zero-padded, split evenly on both sides (the widespread CIFAR ResNet code pads `planes // 4` on each
 * side when channels double).
 *
 * @example
 * ```ts
 * shortcutA(tf.ones([1, 8, 8, 16]), 32, 2).shape; // [1, 4, 4, 32], channels 8..23 are the input's
 * ```
 */
export function shortcutA(x: tf.Tensor4D, outChannels: number, stride: number): tf.Tensor4D {
  const inC = x.shape[3];
  if (outChannels < inC) {
    throw new Error(`shortcut 'A' cannot reduce channels (${inC} → ${outChannels}); use shortcut 'B' or 'C'`);
  }
  return tf.tidy(() => {
    const s = subsample(x, stride);
    const extra = outChannels - inC;
    if (extra === 0) return s;
    const before = Math.floor(extra / 2);
    return tf.pad(s, [
      [0, 0],
      [0, 0],
      [0, 0],
      [before, extra - before],
    ]);
  });
}
