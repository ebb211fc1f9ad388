import * as tf from '@tensorflow/tfjs-core';
import { stridedSliceGradConfig } from './strided-slice-grad';
import { meanGradConfig } from './mean-grad';
import { batchNormTrainingGradConfig } from '../fused/batch-norm-training';
import { reluGradConfig } from '../fused/relu-grad';
import { residualConv2dGradConfig } from '../fused/residual-conv2d';

/** Gradients tfjs-core lacks, registered once on import of `@residual/tensor`. */
const GRADIENTS: tf.GradConfig[] = [stridedSliceGradConfig, batchNormTrainingGradConfig, residualConv2dGradConfig];

/**
 * Gradients registered in place of tfjs-core's: same values, but fewer kernels (one fused kernel where the
 * backend has it) and no array the size of the input built in JavaScript.
 */
const REPLACED: tf.GradConfig[] = [reluGradConfig, meanGradConfig];

export function registerMissingGradients(): void {
  for (const config of REPLACED) tf.registerGradient(config);
  for (const config of GRADIENTS) {
    // Never override one tfjs (or the user) registered: a later tfjs release may ship its own.
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}
