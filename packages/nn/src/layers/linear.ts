import { tf, globalRng, type Rng } from '@residual/tensor';
import { Module } from '../module';
import { pyBool } from '../repr/python';
import { initTensor, uniformBias, type InitScheme } from '../init';

/** Options of {@link Linear}; defaults as `torch.nn.Linear`. */
export interface LinearOptions {
  /** @defaultValue true */
  bias?: boolean;
  /** Weight init. @defaultValue 'torchDefault' (U(−1/√in, 1/√in)) */
  init?: InitScheme;
  /** Generator the init draws from. @defaultValue globalRng() */
  rng?: Rng;
}

/**
 * Fully connected layer y = x·Wᵀ + b, as `torch.nn.Linear`. The weight is stored `[in, out]` and
 * appears in {@link Module.stateDict} as PyTorch's `[out, in]`.
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { Linear } from '@residual/nn';
 * const fc = new Linear(512, 1000);
 * fc.forward(tf.zeros([2, 512])).shape; // [2, 1000]
 * ```
 */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    if (
      !Number.isInteger(inFeatures) ||
      !Number.isInteger(outFeatures) ||
      inFeatures < 1 ||
      outFeatures < 1
    ) {
      throw new Error(
        `Linear: feature counts must be positive integers, got (${inFeatures}, ${outFeatures})`,
      );
    }
    const rng = options.rng ?? globalRng();
    this.weight = this.registerParameter(
      'weight',
      tf.tidy(() =>
        this.fromStateDictTensor(
          'weight',
          initTensor([outFeatures, inFeatures], options.init ?? 'torchDefault', rng),
        ),
      ),
    );
    this.bias =
      (options.bias ?? true)
        ? this.registerParameter('bias', uniformBias(outFeatures, inFeatures, rng))
        : null;
  }

  protected override stateDictPermutation(name: string, rank: number): number[] | null {
    return name === 'weight' && rank === 2 ? [1, 0] : null;
  }

  protected override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(
        `Linear(${this.inFeatures}, ${this.outFeatures}) got input of shape [${x.shape.join(', ')}]`,
      );
    }
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const y = tf.matMul(tf.reshape(x, [-1, this.inFeatures]), this.weight as tf.Tensor2D);
      const z = this.bias ? tf.add(y, this.bias) : y;
      return x.rank === 2 ? z : tf.reshape(z, [...lead, this.outFeatures]);
    });
  }
}
