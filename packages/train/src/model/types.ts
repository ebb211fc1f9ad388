import type { tf } from '@residual/tensor';
import type { NamedParams } from '../optim/optimizer';

/**
 * What training needs from a model: an `@residual/nn` `Module` satisfies it (structural, so any object
 * with the same members works too).
 */
export interface ModelLike {
  training: boolean;
  forward(x: tf.Tensor): tf.Tensor;
  namedParameters(): NamedParams;
  namedBuffers(): NamedParams;
  train(mode?: boolean): unknown;
  eval(): unknown;
  /** PyTorch-layout copies; the caller disposes them. */
  stateDict(): Record<string, tf.Tensor>;
  loadStateDict(sd: Record<string, tf.Tensor>, options?: { strict?: boolean }): unknown;
}
