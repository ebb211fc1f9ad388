import { tf, globalRng, type Rng } from '@residual/tensor';
import { Module } from '../module';
import { pyFloat } from '../repr/python';

/**
 * Rectified linear unit, as `torch.nn.ReLU`.
 *
 * @example
 * ```ts
 * new ReLU().forward(tf.tensor1d([-1, 2])); // [0, 2]
 * ```
 */
export class ReLU extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.relu(x);
  }
}

/**
 * Returns its input, as `torch.nn.Identity` (a placeholder, e.g. a removed classifier head).
 *
 * @example
 * ```ts
 * new Identity().forward(x) === x; // true
 * ```
 */
export class Identity extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

/**
 * Flattens all but the batch dimension, as `torch.nn.Flatten()`. A rank-4 NHWC input is flattened in
 * PyTorch's NCHW order (channel-major), so a following {@link Linear} loaded from a PyTorch state dict
 * sees features in the order it was trained on; for 1×1 spatial size the orders coincide.
 *
 * @example
 * ```ts
 * new Flatten().forward(tf.zeros([2, 1, 1, 512])).shape; // [2, 512]
 * ```
 */
export class Flatten extends Module {
  protected override extraRepr(): string {
    return 'start_dim=1, end_dim=-1';
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank === 0) throw new Error('Flatten expects a tensor with a batch dimension, got a scalar');
    const shape = x.shape as number[];
    const n = shape[0];
    if (x.rank === 4 && shape[1] * shape[2] > 1) {
      return tf.tidy(() => tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n, -1]));
    }
    return tf.reshape(x, [n, x.size / Math.max(n, 1)]);
  }
}

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Generator the masks are seeded from. @defaultValue globalRng() */
  rng?: Rng;
}

/**
 * Zeroes each element with probability `p` in train mode and scales the rest by 1/(1−p), as
 * `torch.nn.Dropout`; the identity in eval mode. Each mask is seeded from the module's generator, so
 * `seed(n)` reproduces a run.
 *
 * @example
 * ```ts
 * const drop = new Dropout(0.3);
 * drop.forward(tf.ones([2, 8])); // about 30 % zeros, the rest 1/0.7
 * drop.eval().forward(x) === x;  // true
 * ```
 */
export class Dropout extends Module {
  private readonly rng: Rng | undefined;

  constructor(
    readonly p = 0.5,
    options: DropoutOptions = {},
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: probability must be in [0, 1], got ${p}`);
    this.rng = options.rng;
  }

  protected override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return tf.zerosLike(x);
    const seed = (this.rng ?? globalRng()).nextUint32();
    return tf.tidy(() => {
      const keep = tf.cast(
        tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), this.p),
        'float32',
      );
      return tf.mul(x, tf.mul(keep, 1 / (1 - this.p)));
    });
  }
}
