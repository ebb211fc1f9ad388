// Loaded by jest.preset.cjs for tests that run on webgpu: on a machine without a GPU (CI), point Dawn at
// SwiftShader before it loads. Set RESIDUAL_WEBGPU_HARDWARE=1 to test on the machine's real GPU.
const { existsSync } = require('node:fs');
if (!process.env.RESIDUAL_WEBGPU_HARDWARE && !process.env.VK_ICD_FILENAMES) {
  const icd = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib64/chromium-browser/vk_swiftshader_icd.json'].find((p) => existsSync(p));
  if (icd) process.env.VK_ICD_FILENAMES = icd;
}
process.env.XDG_RUNTIME_DIR ??= '/tmp';
