/** The Node built-ins the packages load at call time, by id. */
export interface NodeBuiltins {
  'node:fs': typeof import('node:fs');
  'node:fs/promises': typeof import('node:fs/promises');
  'node:path': typeof import('node:path');
  'node:os': typeof import('node:os');
  'node:crypto': typeof import('node:crypto');
  'node:module': typeof import('node:module');
  'node:worker_threads': typeof import('node:worker_threads');
}

/**
 * A Node built-in module, loaded when called (`process.getBuiltinModule`, Node ≥ 20.16) rather than
 * imported: code paths that only run in Node (files, worker threads) then leave no `import 'node:fs'` for
 * a browser bundler to resolve, so esbuild, Vite and webpack bundle our packages with no plugin or stub.
 * Outside Node it throws, naming the feature that needs Node.
 *
 * @param id e.g. `'node:fs'`
 * @param feature what needs it, for the error message
 * @example
 * ```ts
 * const { readFileSync } = nodeBuiltin('node:fs', 'loadCheckpoint');
 * ```
 */
export function nodeBuiltin<K extends keyof NodeBuiltins>(id: K, feature = 'this function'): NodeBuiltins[K] {
  const get = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process?.getBuiltinModule;
  if (typeof get !== 'function') {
    const inNode = typeof process !== 'undefined' && !!process.versions?.node;
    throw new Error(
      inNode
        ? `${feature} needs Node ≥ 20.16 (process.getBuiltinModule); this is Node ${process.versions.node}`
        : `${feature} runs in Node only (it needs ${id})`,
    );
  }
  return get(id) as NodeBuiltins[K];
}
