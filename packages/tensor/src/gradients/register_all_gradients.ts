import * as tf from '@tensorflow/tfjs-core';
import { stridedSliceGradConfig } from './strided_slice_grad';

/** Gradients tfjs-core lacks, registered once on import of `@residual/tensor`. */
const GRADIENTS: tf.GradConfig[] = [stridedSliceGradConfig];

export function registerMissingGradients(): void {
  for (const config of GRADIENTS) {
    // Never override one tfjs (or the user) registered: a later tfjs release may ship its own.
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}
