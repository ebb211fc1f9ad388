/**
 * Side-effect module: makes tfjs-core usable for training in every environment.
 *
 * tfjs-core's Node entry (`tf-core.node.js`) registers neither gradients nor the chained tensor ops
 * (`x.square()`), and its ESM `register_all_gradients.js` cannot be loaded by Node (extension-less
 * imports). The union `@tensorflow/tfjs` entry registers both into tfjs-core's global registries, so
 * loading it once here gives every residual package gradients and chained ops without loading a
 * second tfjs-core.
 */
// The cpu backend, every gradient and the chained tensor ops (`x.square()`), as the union
// `@tensorflow/tfjs` package registers them, without installing its layers, converter, data and webgl.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { registerMissingGradients } from './gradients/register-all-gradients';
import { assertSingleTfjsCore } from './single-core';

assertSingleTfjsCore();
registerMissingGradients();
