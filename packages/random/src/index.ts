export { Rng, mix32 } from './rng';
export type { RngState } from './rng';
export { globalRng, manualSeed, initialSeed } from './global';
