import { tf } from '@residual/tensor';

/**
 * tfjs-core 4.22 has no gradient for `StridedSlice`, which a strided option-A shortcut written with
 * `tf.stridedSlice` needs to train. When (and only when) none is registered, register one for the
 * plain case — positive strides, no ellipsis/new-axis/shrink masks — that scatters `dy` back to the
 * sliced positions with zero insertion (reshape + pad per axis) and pads the rest with zeros.
 *
 * @returns whether a gradient was registered (the harness records it in its report).
 * @example
 * ```ts
 * ensureStridedSliceGradient();
 * tf.grad((x: tf.Tensor) => tf.sum(tf.stridedSlice(x, [0], [4], [2])))(tf.ones([4])); // [1, 0, 1, 0]
 * ```
 */
export function ensureStridedSliceGradient(): boolean {
  if (tf.getGradient('StridedSlice')) return false;
  tf.registerGradient({
    kernelName: 'StridedSlice',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const a = attrs as unknown as {
        begin: number[];
        strides: number[];
        beginMask: number;
        ellipsisMask: number;
        newAxisMask: number;
        shrinkAxisMask: number;
      };
      if (a.ellipsisMask || a.newAxisMask || a.shrinkAxisMask || a.strides.some((s) => s < 1)) {
        throw new Error('StridedSlice gradient (bench workaround): only positive strides without ellipsis/new/shrink masks');
      }
      const g = Array.isArray(dy) ? dy[0] : dy;
      return {
        x: () => {
          let t = g;
          for (let axis = 0; axis < x.rank; axis++) {
            const s = a.strides[axis] ?? 1;
            const begin = a.beginMask & (1 << axis) ? 0 : (a.begin[axis] ?? 0);
            const n = t.shape[axis];
            if (s > 1) {
              // Insert s−1 zeros after every element along `axis`.
              const split = [...t.shape.slice(0, axis), n, 1, ...t.shape.slice(axis + 1)];
              const pads = split.map((_, i) => [0, i === axis + 1 ? s - 1 : 0] as [number, number]);
              const widened = [...t.shape];
              widened[axis] = n * s;
              t = tf.reshape(tf.pad(tf.reshape(t, split), pads), widened);
            }
            const used = Math.min(t.shape[axis], x.shape[axis] - begin);
            const kept = tf.slice(t, t.shape.map(() => 0), t.shape.map((d, i) => (i === axis ? used : d)));
            const pads = x.shape.map((_, i) => [i === axis ? begin : 0, i === axis ? x.shape[axis] - begin - used : 0] as [number, number]);
            t = tf.pad(kept, pads);
          }
          return t;
        },
      };
    },
  });
  return true;
}
