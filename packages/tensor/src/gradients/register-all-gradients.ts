import * as tf from '@tensorflow/tfjs-core';
import { stridedSliceGradConfig } from './strided-slice-grad';
import { batchNormTrainingGradConfig } from '../fused/batch-norm-training';
import { reluGradConfig } from '../fused/relu-grad';
import { residualConv2dGradConfig } from '../fused/residual-conv2d';

/** Gradients tfjs-core lacks, registered once on import of `@residual/tensor`. */
const GRADIENTS: tf.GradConfig[] = [stridedSliceGradConfig, batchNormTrainingGradConfig, residualConv2dGradConfig];

/**
 * Gradients registered in place of tfjs-core's: same values, but they run one fused kernel where the
 * backend has it.
 */
const REPLACED: tf.GradConfig[] = [reluGradConfig];

export function registerMissingGradients(): void {
  for (const config of REPLACED) tf.registerGradient(config);
  for (const config of GRADIENTS) {
    // Never override one tfjs (or the user) registered: a later tfjs release may ship its own.
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}
