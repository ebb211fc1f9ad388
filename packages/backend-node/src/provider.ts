import { createRequire } from 'node:module';
import type { BackendProvider } from '@residual/tensor';

/** Options for {@link nodeBackendProvider}. */
export interface NodeBackendOptions {
  /** Load `@tensorflow/tfjs-node-gpu` (CUDA) instead of `@tensorflow/tfjs-node` (CPU). */
  gpu: boolean;
}

/** What {@link detectNodeBackends} finds. */
export interface NodeBackendDetection {
  /** `@tensorflow/tfjs-node` resolves from here. */
  node: boolean;
  /** `@tensorflow/tfjs-node-gpu` resolves from here. */
  nodeGpu: boolean;
}

/**
 * How to get each native backend working (install command, prerequisites); shown whenever one is missing.
 * @example
 * ```ts
 * import { NODE_BACKEND_HELP } from '@residual/backend-node';
 * console.log(NODE_BACKEND_HELP['node-gpu']);
 * ```
 */
export const NODE_BACKEND_HELP = {
  node: [
    'npm i @tensorflow/tfjs-node@4.22.0',
    'Its install script downloads libtensorflow (about 100 MB), so installing needs internet access and',
    'npm must be allowed to run the script (npm ≥ 11: `npm install-scripts approve @tensorflow/tfjs-node`).',
  ].join('\n'),
  'node-gpu': [
    'npm i @tensorflow/tfjs-node-gpu@4.22.0',
    'Needs Linux x86_64, an NVIDIA GPU with driver ≥ 450, CUDA 11.2 and cuDNN 8.1 libraries on',
    'LD_LIBRARY_PATH. Its install script downloads the GPU build of libtensorflow, so installing needs',
    'internet access and npm must be allowed to run the script',
    '(npm ≥ 11: `npm install-scripts approve @tensorflow/tfjs-node-gpu`).',
  ].join('\n'),
} as const;

const pkgName = (gpu: boolean): string => (gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');

function localRequire(): NodeRequire {
  return createRequire(typeof __filename === 'string' ? __filename : `${process.cwd()}/`);
}

/**
 * Which native backends can be resolved from the current working directory's project. Nothing is
 * loaded: this only asks the module resolver.
 * @example
 * ```ts
 * import { detectNodeBackends } from '@residual/backend-node';
 * import { useBackend } from '@residual/tensor';
 * const { node, nodeGpu } = detectNodeBackends();
 * await useBackend(nodeGpu ? 'node-gpu' : node ? 'node' : 'wasm');
 * ```
 */
export function detectNodeBackends(): NodeBackendDetection {
  const req = localRequire();
  const has = (name: string): boolean => {
    try {
      req.resolve(name, { paths: [process.cwd(), __dirname] });
      return true;
    } catch {
      return false;
    }
  };
  return { node: has(pkgName(false)), nodeGpu: has(pkgName(true)) };
}

/**
 * A backend provider for `useBackend('node')` / `useBackend('node-gpu')`. Loads the optional peer
 * package lazily; when it is missing, the error says how to install it and what the machine needs.
 * Importing `@residual/backend-node` registers both providers already.
 * @example
 * ```ts
 * import { registerBackendProvider, useBackend } from '@residual/tensor';
 * import { nodeBackendProvider } from '@residual/backend-node';
 * registerBackendProvider('node', nodeBackendProvider({ gpu: false }));
 * await useBackend('node'); // needs @tensorflow/tfjs-node installed
 * ```
 */
export function nodeBackendProvider(options: NodeBackendOptions): BackendProvider {
  const name = pkgName(options.gpu);
  return {
    tfName: 'tensorflow',
    async load() {
      const req = localRequire();
      let resolved: string;
      try {
        resolved = req.resolve(name, { paths: [process.cwd(), __dirname] });
      } catch {
        throw new Error(
          `${name} is not installed.\n${NODE_BACKEND_HELP[options.gpu ? 'node-gpu' : 'node']}`,
        );
      }
      try {
        req(resolved);
      } catch (err) {
        throw new Error(
          `${name} is installed but failed to load (${(err as Error).message}). ` +
            `Usually libtensorflow was not downloaded at install time.\n` +
            NODE_BACKEND_HELP[options.gpu ? 'node-gpu' : 'node'],
        );
      }
    },
    info() {
      return { simd: null };
    },
  };
}
