import { manualSeed } from '@residual/random';

/**
 * Make a run reproducible: seeds the generator that parameter initialisation and default data order
 * draw from (as `torch.manual_seed`).
 *
 * @example
 * ```ts
 * import { seed } from '@residual/tensor';
 * seed(0); // the same model weights and batch order on every run
 * ```
 */
export function seed(n: number): void {
  manualSeed(n);
}
