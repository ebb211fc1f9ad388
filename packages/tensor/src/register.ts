/**
 * Side-effect module: makes tfjs-core usable for training in every environment.
 *
 * tfjs-core's Node entry (`tf-core.node.js`) registers neither gradients nor the chained tensor ops
 * (`x.square()`), and its ESM `register_all_gradients.js` cannot be loaded by Node (extension-less
 * imports). The union `@tensorflow/tfjs` entry registers both into tfjs-core's global registries, so
 * loading it once here gives every residual package gradients and chained ops without loading a
 * second tfjs-core.
 */
import '@tensorflow/tfjs';
import { registerMissingGradients } from './gradients/register_all_gradients';
import { assertSingleTfjsCore } from './single-core';

assertSingleTfjsCore();
registerMissingGradients();
