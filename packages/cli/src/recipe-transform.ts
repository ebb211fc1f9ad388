/**
 * Entry loaded by @residual/datasets' worker threads (`residual train --workers N`): rebuilds a
 * recipe's image transforms from their JSON specs inside each worker.
 */
import * as T from '@residual/transforms';
import { composeFromSpecs } from './recipes/data';
import type { TransformSpec } from './recipes/schema';

/** Factory the loader's workers call with `{ specs }`. */
export function createTransform(options: { specs: TransformSpec[] }) {
  return composeFromSpecs(T, options.specs, 'worker transforms') ?? { apply: (img: unknown) => img };
}
