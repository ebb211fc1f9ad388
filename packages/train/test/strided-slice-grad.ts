import { tf } from '@residual/tensor';

/**
 * tfjs-core has no gradient for StridedSlice, which the zoo's option-A shortcut (`x[:, ::s, ::s]`) uses.
 * Until @residual/tensor or the zoo provides one, tests register this one: begin 0, no masks, positive
 * strides (the only form the shortcut produces). dy is spread back onto the strided positions.
 */
export function ensureStridedSliceGradient(): void {
  if (tf.getGradient('StridedSlice')) return;
  tf.registerGradient({
    kernelName: 'StridedSlice',
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const x = saved[0];
      const g = dy as tf.Tensor;
      const { begin, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask } = attrs as unknown as {
        begin: number[]; strides: number[]; beginMask: number; endMask: number; ellipsisMask: number; newAxisMask: number; shrinkAxisMask: number;
      };
      if (begin.some((b) => b !== 0) || strides.some((s) => s < 1) || ellipsisMask || newAxisMask || shrinkAxisMask || (beginMask && beginMask !== (1 << x.rank) - 1 && false) || endMask < 0)
        throw new Error('test StridedSlice gradient: only begin 0 and positive strides are supported');
      return {
        x: () => {
          let out = g;
          for (let axis = 0; axis < x.rank; axis++) {
            const s = strides[axis];
            if (s === 1) continue;
            // Interleave zeros after every element along `axis`, then trim to the input's length.
            const shape = out.shape;
            const expanded = tf.expandDims(out, axis + 1);
            const padding: Array<[number, number]> = expanded.shape.map(() => [0, 0] as [number, number]);
            padding[axis + 1] = [0, s - 1];
            const padded = tf.pad(expanded, padding);
            const merged = [...shape];
            merged[axis] = shape[axis] * s;
            out = tf.slice(tf.reshape(padded, merged), 0, merged.map((d, i) => (i === axis ? x.shape[axis] : d)));
          }
          return out;
        },
      };
    },
  });
}
