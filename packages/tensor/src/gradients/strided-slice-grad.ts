import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient of `StridedSlice`, which tfjs-core 4.22 does not register (so `tf.stridedSlice` inside a
 * loss throws "gradient function not found"). The slice picks some elements of x; the gradient puts dy
 * back at exactly those positions and zeros elsewhere. tfjs's own `sliceInfo` resolves every mask into
 * a dense begin/stride per input dimension, from which the source of each dy element follows.
 */
export const stridedSliceGradConfig: tf.GradConfig = {
  kernelName: tf.StridedSlice,
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x] = saved;
    const g = dy as tf.Tensor;
    const a = attrs as unknown as tf.StridedSliceAttrs;
    return {
      x: () =>
        tf.tidy(() => {
          const info = tf.slice_util.sliceInfo(
            x.shape,
            a.begin,
            a.end,
            a.strides,
            a.beginMask,
            a.endMask,
            a.ellipsisMask,
            a.newAxisMask,
            a.shrinkAxisMask,
          );
          // The dense shape of the slice, one entry per x dimension (shrunk axes count 1, new axes none).
          const dense = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
          const indices = sourceIndices(x.shape, dense, info.begin, info.strides);
          const dx = tf.scatterND(tf.tensor2d(indices, [indices.length, 1], 'int32'), g.reshape([-1]), [x.size]);
          return dx.reshape(x.shape);
        }),
    };
  },
};

/** Flat index into x of every element of the (dense) slice, in the slice's row-major order. */
function sourceIndices(xShape: number[], outShape: number[], begin: number[], strides: number[]): Int32Array {
  const rank = xShape.length;
  const xStrides = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    xStrides[d] = s;
    s *= xShape[d];
  }
  const total = outShape.reduce((p, n) => p * n, 1);
  const out = new Int32Array(total);
  const loc = new Array<number>(rank).fill(0);
  for (let i = 0; i < total; i++) {
    let flat = 0;
    for (let d = 0; d < rank; d++) flat += (begin[d] + loc[d] * strides[d]) * xStrides[d];
    out[i] = flat;
    for (let d = rank - 1; d >= 0; d--) {
      if (++loc[d] < outShape[d]) break;
      loc[d] = 0;
    }
  }
  return out;
}
