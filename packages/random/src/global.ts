import { Rng } from './rng';

interface GlobalState {
  seed: number;
  rng: Rng;
}
// On globalThis so the ESM and CJS builds of this package, if both load, share one generator.
const KEY = Symbol.for('@residual/random/global');
const holder = globalThis as Record<symbol, unknown>;
const state: GlobalState = (holder[KEY] as GlobalState) ?? (holder[KEY] = { seed: 0, rng: new Rng(0) });

/**
 * Seed the process-wide generator (as `torch.manual_seed`). Parameter init and default data order
 * draw from it, so one call makes a run reproducible.
 *
 * @example
 * ```ts
 * import { manualSeed, globalRng } from '@residual/random';
 * manualSeed(0);
 * const a = globalRng().uniform();
 * manualSeed(0);
 * a === globalRng().uniform(); // true
 * ```
 */
export function manualSeed(seed: number): void {
  state.seed = Math.trunc(seed);
  state.rng = new Rng(state.seed);
}

/**
 * The seed last given to {@link manualSeed} (0 by default), as `torch.initial_seed`.
 * @example
 * ```ts
 * import { manualSeed, initialSeed } from '@residual/random';
 * manualSeed(42);
 * initialSeed(); // 42
 * ```
 */
export function initialSeed(): number {
  return state.seed;
}

/**
 * The process-wide generator that parameter init and default data order draw from. Reseeding with
 * `manualSeed` replaces it, so fetch it again after seeding rather than keeping a reference.
 * Also re-exported by `@residual/tensor`.
 * @example
 * ```ts
 * import { manualSeed, globalRng } from '@residual/random';
 * manualSeed(0);
 * const order = globalRng().permutation(10);
 * ```
 */
export function globalRng(): Rng {
  return state.rng;
}
