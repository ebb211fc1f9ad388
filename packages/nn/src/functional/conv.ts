import { tf } from '@residual/tensor';

/** A size given once for both spatial dimensions, or as `[height, width]`. */
export type Size2 = number | readonly [number, number];

/** PyTorch-style padding: symmetric amount(s), or `'same'` / `'valid'`. */
export type Padding2d = Size2 | 'same' | 'valid';

/**
 * Normalise a {@link Size2} to `[h, w]`, checking both are integers ≥ `min`.
 *
 * @example
 * ```ts
 * pair(3, 'kernelSize'); // [3, 3]
 * ```
 */
export function pair(v: Size2, what: string, min = 1): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new Error(`${what} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

/**
 * tfjs explicit padding (`[[0,0],[top,bottom],[left,right],[0,0]]`) or `'valid'` for PyTorch padding
 * semantics. `'same'` pads `dilation·(k−1)` in total, the extra pixel (even kernels) at the end, as
 * PyTorch does.
 *
 * @example
 * ```ts
 * explicitPadding(1, [3, 3], [1, 1]);      // [[0, 0], [1, 1], [1, 1], [0, 0]]
 * explicitPadding('same', [4, 4], [1, 1]); // [[0, 0], [1, 2], [1, 2], [0, 0]]
 * ```
 */
export function explicitPadding(
  padding: Padding2d,
  kernel: [number, number],
  dilation: [number, number],
): 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
  if (padding === 'valid') return 'valid';
  let ph: [number, number];
  let pw: [number, number];
  if (padding === 'same') {
    const th = dilation[0] * (kernel[0] - 1);
    const tw = dilation[1] * (kernel[1] - 1);
    ph = [Math.floor(th / 2), th - Math.floor(th / 2)];
    pw = [Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  } else {
    const [h, w] = pair(padding, 'padding', 0);
    ph = [h, h];
    pw = [w, w];
  }
  if (ph[0] + ph[1] + pw[0] + pw[1] === 0) return 'valid';
  return [[0, 0], ph, pw, [0, 0]];
}

/**
 * 2-D convolution of NHWC `x` with an HWIO filter `[kh, kw, in/groups, out]`, PyTorch semantics
 * (explicit symmetric padding, grouped convolution).
 *
 * @example
 * ```ts
 * const y = conv2d(tf.ones([1, 8, 8, 4]), tf.ones([3, 3, 2, 6]), { padding: 1, groups: 2 }); // [1, 8, 8, 6]
 * ```
 */
export function conv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  options: { stride?: Size2; padding?: Padding2d; dilation?: Size2; groups?: number } = {},
): tf.Tensor4D {
  const stride = pair(options.stride ?? 1, 'stride');
  const dilation = pair(options.dilation ?? 1, 'dilation');
  const groups = options.groups ?? 1;
  const kernel: [number, number] = [filter.shape[0], filter.shape[1]];
  const pad = explicitPadding(options.padding ?? 0, kernel, dilation);
  if (options.padding === 'same' && (stride[0] !== 1 || stride[1] !== 1)) {
    throw new Error("conv2d: padding='same' is not supported for strided convolutions (as in PyTorch)");
  }
  const inC = x.shape[3];
  if (inC !== filter.shape[2] * groups) {
    throw new Error(
      `conv2d: input has ${inC} channels but the weight expects ${filter.shape[2]}×${groups} groups ` +
        `= ${filter.shape[2] * groups}`,
    );
  }
  const dilated = dilation[0] > 1 || dilation[1] > 1;
  const one = (xi: tf.Tensor4D, wi: tf.Tensor4D): tf.Tensor4D =>
    dilated
      ? dilatedConv(xi, wi, stride, pad, dilation)
      : (tf.conv2d(xi, wi, stride, pad, 'NHWC') as tf.Tensor4D);
  if (groups === 1) return one(x, filter);
  return tf.tidy(() => {
    const xs = tf.split(x, groups, 3);
    const ws = tf.split(filter, groups, 3);
    return tf.concat(
      xs.map((xi, i) => one(xi as tf.Tensor4D, ws[i] as tf.Tensor4D)),
      3,
    );
  });
}

/**
 * Dilated convolution as TensorFlow builds it: space-to-batch, dense convolution, batch-to-space.
 * tfjs has no gradient for dilated `conv2d`; every op here has one, on every backend.
 */
function dilatedConv(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: [number, number],
  pad: ReturnType<typeof explicitPadding>,
  dilation: [number, number],
): tf.Tensor4D {
  return tf.tidy(() => {
    const xp = pad === 'valid' ? x : tf.pad(x, pad);
    const [n, hp, wp] = xp.shape;
    const [kh, kw] = filter.shape;
    const [dh, dw] = dilation;
    const oh = hp - dh * (kh - 1);
    const ow = wp - dw * (kw - 1);
    if (oh < 1 || ow < 1) {
      throw new Error(
        `conv2d: input [${x.shape.join(', ')}] is smaller than the dilated kernel (${kh}, ${kw}) × (${dh}, ${dw})`,
      );
    }
    const eh = Math.ceil(hp / dh) * dh - hp;
    const ew = Math.ceil(wp / dw) * dw - wp;
    const xs = tf.spaceToBatchND(
      xp,
      [dh, dw],
      [
        [0, eh],
        [0, ew],
      ],
    ) as tf.Tensor4D;
    const ys = tf.conv2d(xs, filter, 1, 'valid', 'NHWC');
    const y = tf.batchToSpaceND(
      ys,
      [dh, dw],
      [
        [0, 0],
        [0, 0],
      ],
    ) as tf.Tensor4D;
    const full = tf.slice(y, [0, 0, 0, 0], [n, oh, ow, -1]);
    if (stride[0] === 1 && stride[1] === 1) return full;
    // Strided output = every stride-th position of the stride-1 output.
    const sh = Math.ceil(oh / stride[0]);
    const sw = Math.ceil(ow / stride[1]);
    const c = full.shape[3];
    const padded = tf.pad(full, [
      [0, 0],
      [0, sh * stride[0] - oh],
      [0, sw * stride[1] - ow],
      [0, 0],
    ]);
    const grid = tf.reshape(padded, [n, sh, stride[0], sw, stride[1], c]);
    return tf.reshape(tf.slice(grid, [0, 0, 0, 0, 0, 0], [n, sh, 1, sw, 1, c]), [n, sh, sw, c]);
  });
}
