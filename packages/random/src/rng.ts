// Module-level aliases: hot loops (parameter init draws millions of normals) must not look up the
// global `Math` on every call — under jest's sandboxed globals that lookup alone is 20-70x slower.
const { imul, floor, sqrt, log, sin, cos, trunc, PI } = Math;
const TWO_PI = 2 * PI;

/**
 * A small, fast, seedable random number generator (xoshiro128**), seeded through splitmix32.
 *
 * Why not `Math.random`: every random decision in residual (parameter init, data order, augmentation
 * parameters) must be reproducible from one seed and resumable from a checkpoint, so generators carry
 * explicit state that can be saved ({@link Rng.getState}) and restored ({@link Rng.setState}).
 *
 * Why splittable ({@link Rng.derive}): a data loader gives sample `i` of epoch `e` its own generator
 * derived from `(seed, e, i)`, so augmentations are identical whatever the number of worker threads.
 *
 * @example
 * ```ts
 * import { Rng } from '@residual/random';
 * const rng = new Rng(42);
 * rng.uniform();            // in [0, 1)
 * rng.randint(0, 10);       // integer in [0, 10)
 * rng.normal();             // standard normal
 * const perm = rng.permutation(5);
 * ```
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Second normal sample of the last Box-Muller pair, cached so normals cost one uniform pair each two. */
  private spare: number | null = null;

  /** @param seed any integer (or a saved state from {@link Rng.getState}). */
  constructor(seed: number | RngState = 0) {
    if (typeof seed === 'number') this.reseed(seed);
    else this.setState(seed);
  }

  /** A generator for a sub-stream keyed by integers, independent of the parent's position. */
  static derive(seed: number, ...keys: number[]): Rng {
    let h = mix32(seed >>> 0 ^ 0x9e3779b9);
    for (const k of keys) h = mix32((h ^ mix32((k >>> 0) + 0x85ebca6b)) + 0x27d4eb2f);
    return new Rng(h);
  }

  /** Reset to the stream of `seed`. */
  reseed(seed: number): void {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number, got ${seed}`);
    let x = trunc(seed) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      return mix32(x);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const result = imul(rotl(imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform float in [lo, hi). */
  uniformRange(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [lo, hi) (hi exclusive, like Python's `randrange` / `torch.randint`). */
  randint(lo: number, hi: number): number {
    if (!(hi > lo)) throw new RangeError(`randint needs hi > lo, got [${lo}, ${hi})`);
    return lo + floor(this.uniform() * (hi - lo));
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** Standard normal sample (Box-Muller). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return mean + std * s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = sqrt(-2 * log(u));
    this.spare = r * sin(TWO_PI * v);
    return mean + std * r * cos(TWO_PI * v);
  }

  /** Fill `out` with normal samples. */
  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** Fill `out` with uniform samples in [lo, hi). */
  fillUniform(out: Float32Array | Float64Array, lo = 0, hi = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.uniformRange(lo, hi);
    return out;
  }

  /** Shuffle an array in place (Fisher-Yates) and return it. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array): typeof items {
    for (let i = items.length - 1; i > 0; i--) {
      const j = floor(this.uniform() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p) as Int32Array;
  }

  /** Pick one element uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('choice from an empty list');
    return items[this.randint(0, items.length)];
  }

  /** Serializable state (JSON-safe). */
  getState(): RngState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spare: this.spare };
  }

  /** Restore a state returned by {@link Rng.getState}. */
  setState(state: RngState): void {
    if (!state || !Array.isArray(state.s) || state.s.length !== 4 || state.s.some((v) => !Number.isInteger(v))) {
      throw new TypeError(`invalid Rng state: ${JSON.stringify(state)}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = state.s.map((v) => v | 0);
    this.spare = state.spare ?? null;
  }

  /** An independent copy at the same position. */
  clone(): Rng {
    return new Rng(this.getState());
  }
}

/** JSON-serializable state of an {@link Rng}. */
export interface RngState {
  s: number[];
  spare: number | null;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A 32-bit finaliser (murmur3 fmix32): spreads every input bit over the output, so nearby integers
 * (seeds, indices) map to unrelated unsigned 32-bit values.
 * @example
 * ```ts
 * import { mix32 } from '@residual/random';
 * mix32(0); // 0
 * mix32(1); // 1364076727
 * mix32(2); // 821347078
 * ```
 */
export function mix32(x: number): number {
  x = x >>> 0;
  x ^= x >>> 16;
  x = imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
