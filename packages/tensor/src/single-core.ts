import * as tf from '@tensorflow/tfjs-core';

const ENGINE_KEY = '_tfengine';

/**
 * Throws if more than one tfjs-core engine could be live in this process.
 *
 * Two copies of tfjs-core (for example an app pinning another version next to ours) each keep their own
 * kernel registry and tensors, so a model built with one cannot run on a backend registered with the
 * other; the failure shows up far away as "kernel not registered". tfjs-core keeps its engine on a
 * global; we check that the engine our import sees is that global one.
 * @example
 * ```ts
 * import { assertSingleTfjsCore } from '@residual/tensor';
 * assertSingleTfjsCore(); // throws, naming the fix, if a second tfjs-core is loaded
 * ```
 */
export function assertSingleTfjsCore(): void {
  const g = globalThis as unknown as { _tfGlobals?: Map<string, unknown> };
  const globals = g._tfGlobals;
  const globalEngine = globals?.get?.(ENGINE_KEY);
  if (globalEngine !== undefined && globalEngine !== tf.engine()) {
    throw new Error(
      'residual: two instances of @tensorflow/tfjs-core are loaded in this process. ' +
        'Run `npm ls @tensorflow/tfjs-core` and make every package use version ' +
        `${tf.version_core} (npm dedupe, or an "overrides" entry in your package.json).`,
    );
  }
}

/**
 * Versions of the tfjs packages the process actually loaded.
 * @example
 * ```ts
 * import { tfjsVersions } from '@residual/tensor';
 * tfjsVersions(); // { 'tfjs-core': '4.22.0' }
 * ```
 */
export function tfjsVersions(): Record<string, string> {
  return { 'tfjs-core': tf.version_core };
}
