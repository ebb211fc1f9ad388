// A generator for tests that only need some deterministic weights: it fills weight tensors with the
// integer-hash formula instead of Box-Muller normals, which keeps building 60M-parameter models in a
// test fast. Scales match the requested mean/std or range, so activations behave as with the real init.
import { Rng } from '@residual/tensor';
import { formulaUniform } from './formula';

const SQRT3 = Math.sqrt(3);

export class FastRng extends Rng {
  private calls = 0;

  override fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): typeof out {
    const u = formulaUniform(out.length, 7919 + this.calls++);
    // A uniform on [-√3, √3] has unit variance.
    for (let i = 0; i < out.length; i++) out[i] = mean + std * SQRT3 * u[i];
    return out;
  }

  override fillUniform(out: Float32Array | Float64Array, lo = 0, hi = 1): typeof out {
    const u = formulaUniform(out.length, 7919 + this.calls++);
    for (let i = 0; i < out.length; i++) out[i] = lo + ((hi - lo) * (u[i] + 1)) / 2;
    return out;
  }
}
