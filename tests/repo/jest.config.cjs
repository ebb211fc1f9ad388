const preset = require('../../jest.preset.cjs')(__dirname);
// These tests read the repository's sources and configs; they import no package.
module.exports = { ...preset, moduleNameMapper: {}, testTimeout: 300000 };
