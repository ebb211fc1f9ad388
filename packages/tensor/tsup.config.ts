import { packageConfig } from '../../tsup.base';

// tfjs-core ships its gradient and chained-op registrations only as ESM with extension-less imports,
// which Node cannot load: they are bundled here. Their code registers into tfjs-core's global
// registries and engine (tfjs keeps those on a global), so the one tfjs-core instance gets them, as
// the union @tensorflow/tfjs package does with its own bundled copy.
export default packageConfig({
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
