import { tf, globalRng, type Rng } from '@residual/tensor';

/**
 * How a weight is initialised.
 * - `'kaimingNormal'`: torchvision ResNet's `kaiming_normal_(mode='fan_out', nonlinearity='relu')`,
 *   N(0, 2 / fan_out).
 * - `'torchDefault'`: PyTorch's default for Conv2d/Linear, `kaiming_uniform_(a=√5)`, i.e.
 *   U(−1/√fan_in, 1/√fan_in).
 * - `'zeros'` / `'ones'`: constants.
 */
export type InitScheme = 'kaimingNormal' | 'torchDefault' | 'zeros' | 'ones';

/**
 * PyTorch's fan in / fan out of a weight given in PyTorch layout (`[out, in, ...receptive]`):
 * fan_in = in · receptive, fan_out = out · receptive.
 *
 * @example
 * ```ts
 * fans([64, 3, 7, 7]); // { fanIn: 147, fanOut: 3136 }
 * ```
 */
export function fans(torchShape: readonly number[]): { fanIn: number; fanOut: number } {
  if (torchShape.length < 2)
    throw new Error(`fans: need at least 2 dimensions, got [${torchShape.join(', ')}]`);
  const receptive = torchShape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: torchShape[1] * receptive, fanOut: torchShape[0] * receptive };
}

/**
 * Sample a tensor of `torchShape` (PyTorch layout; filled in PyTorch's element order) from `rng`.
 *
 * @example
 * ```ts
 * import { Rng } from '@residual/tensor';
 * const w = initTensor([16, 3, 3, 3], 'kaimingNormal', new Rng(0)); // std √(2 / (16·9))
 * ```
 */
export function initTensor(
  torchShape: readonly number[],
  scheme: InitScheme,
  rng: Rng = globalRng(),
): tf.Tensor {
  const size = torchShape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  switch (scheme) {
    case 'zeros':
      break;
    case 'ones':
      data.fill(1);
      break;
    case 'kaimingNormal': {
      const { fanOut } = fans(torchShape);
      rng.fillNormal(data, 0, Math.sqrt(2 / fanOut));
      break;
    }
    case 'torchDefault': {
      const bound = 1 / Math.sqrt(fans(torchShape).fanIn);
      rng.fillUniform(data, -bound, bound);
      break;
    }
    default:
      throw new Error(`initTensor: unknown init scheme '${scheme as string}'`);
  }
  return tf.tensor(data, [...torchShape], 'float32');
}

/**
 * PyTorch's default bias init for a layer with `fanIn` inputs: U(−1/√fan_in, 1/√fan_in).
 *
 * @example
 * ```ts
 * const b = uniformBias(10, 512); // 10 values in (−1/√512, 1/√512)
 * ```
 */
export function uniformBias(size: number, fanIn: number, rng: Rng = globalRng()): tf.Tensor1D {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return tf.tensor1d(rng.fillUniform(new Float32Array(size), -bound, bound) as Float32Array, 'float32');
}
