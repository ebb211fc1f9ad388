// Shared jest settings for every workspace package. Tests import sibling packages
// straight from their TypeScript sources so a test run never needs a stale build.
const path = require('node:path');
// Tests on webgpu run on SwiftShader where no GPU is present. Set here, in jest's own process, so
// that the workers it starts inherit it (a test's process.env is a sandboxed copy).
require('./packages/backend-webgpu/src/testing/setup-swiftshader.cjs');

/** @param {string} pkgDir absolute path of the package using the preset */
module.exports = function preset(pkgDir) {
  return {
    rootDir: pkgDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
    },
    moduleNameMapper: {
      '^@residual/([a-z0-9-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
      // Subpath exports (e.g. `@residual/transforms/tensor`) map to `src/<subpath>.ts`.
      '^@residual/([a-z0-9-]+)/([a-z0-9-]+)$': path.join(__dirname, 'packages/$1/src/$2.ts'),
    },
    // @residual/tensor imports tfjs-core's ESM-only gradient registrations (bundled in its build);
    // from source, jest must transpile those files (not tfjs-core's CJS entry, tf-core.node.js).
    transformIgnorePatterns: ['/node_modules/(?!@tensorflow/tfjs-core/dist/(?!tf-core))'],
    testTimeout: 120000,
  };
};
