const preset = require('../../jest.preset.cjs')(__dirname);
// These tests run the *built* tarballs, not sources: no module mapping.
module.exports = { ...preset, moduleNameMapper: {}, testTimeout: 600000 };
