// The webgpu backend in Node: Dawn from the `webgpu` package, on SwiftShader in CI (see
// testing/setup-swiftshader.cjs), or on the machine's GPU with RESIDUAL_WEBGPU_HARDWARE=1.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import '@residual/backend-wasm';
import { tf, toHost, useBackend, backendInfo } from '@residual/tensor';
import { replacedStockKernels, takeWebGPUErrors, webgpuAdapter, WebGPUSyncReadError, platformHelp } from './index';

const hardware = !!process.env.RESIDUAL_WEBGPU_HARDWARE;
const ROOT = join(__dirname, '../../..');

/** Runs a script in a fresh node with the given environment; the built packages must exist (`npm run build`). */
function node(script: string, env: Record<string, string | undefined>): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('@residual/backend-webgpu in Node', () => {
  afterAll(async () => {
    await useBackend('cpu');
  });

  it('starts on an adapter and reports it in backendInfo()', async () => {
    await useBackend('webgpu');
    const info = backendInfo();
    expect(info.name).toBe('webgpu');
    expect(info.tfName).toBe('webgpu');
    expect(info.adapter).toEqual(webgpuAdapter());
    expect(typeof info.adapter!.vendor).toBe('string');
    expect(typeof info.adapter!.description).toBe('string');
    if (!hardware) {
      expect(`${info.adapter!.architecture} ${info.adapter!.description} ${info.adapter!.vendor}`).toMatch(/swiftshader|google/i);
      expect(info.adapter!.isFallback).toBe(true);
    }
  });

  it('computes on the GPU and reads back asynchronously', async () => {
    await useBackend('webgpu');
    const y = tf.tidy(() => tf.add(tf.tensor1d([1, 2, 3]), tf.tensor1d([10, 20, 30])));
    expect(Array.from(await y.data())).toEqual([11, 22, 33]);
    y.dispose();
    expect(takeWebGPUErrors()).toEqual([]);
  });

  it('refuses synchronous reads of GPU data with a message saying what to do, and serves them after toHost', async () => {
    await useBackend('webgpu');
    // Large enough that tfjs computes it on the GPU (it forwards tiny ops on host data to the CPU).
    const y = tf.tidy(() => tf.mul(tf.range(0, 4096), 2));
    expect(() => y.dataSync()).toThrow(WebGPUSyncReadError);
    expect(() => y.dataSync()).toThrow(/await tensor\.data\(\)|toHost/);
    await toHost(y);
    expect(Array.from(y.dataSync().slice(0, 3))).toEqual([0, 2, 4]);
    y.dispose();
  });

  it('catches what tfjs does not: an invalid shader from the stock rank-6 Pad is reported, not silently wrong', async () => {
    await useBackend('webgpu');
    takeWebGPUErrors();
    const stock = replacedStockKernels().get('PadV2');
    expect(stock).toBeDefined();
    const x = tf.ones([1, 2, 1, 2, 1, 3]);
    const out = tf.engine().runKernel('PadV2', { x }, { paddings: [[0, 0], [0, 0], [0, 1], [0, 0], [0, 1], [0, 0]], constantValue: 0 }) as tf.Tensor;
    // Ours gives the right answer…
    expect(Array.from(await out.data()).reduce((a, b) => a + b, 0)).toBe(12);
    expect(takeWebGPUErrors()).toEqual([]);
    // …the stock kernel compiles `vec6`, which WGSL lacks.
    const info = stock!.kernelFunc({ inputs: { x }, backend: tf.backend(), attrs: { paddings: [[0, 0], [0, 0], [0, 1], [0, 0], [0, 1], [0, 0]], constantValue: 0 } as never }) as tf.TensorInfo;
    const bad = tf.engine().makeTensorFromTensorInfo(info);
    await bad.data();
    await new Promise((r) => setTimeout(r, 50));
    expect(takeWebGPUErrors().join('\n')).toMatch(/vec6|WGSL|Invalid/);
    tf.dispose([x, out, bad]);
  });

  it("useBackend('auto') never takes a software fallback adapter", async () => {
    if (hardware) return void expect(webgpuAdapter()?.isFallback).toBe(false);
    expect(await useBackend('auto')).not.toBe('webgpu');
  });

  it('without any Vulkan driver, says what is missing and how to test on SwiftShader', () => {
    const r = node(
      `require('@residual/backend-webgpu'); const { useBackend } = require('@residual/tensor');
       useBackend('webgpu').then(() => { console.log('STARTED'); process.exit(3); }, (e) => { console.log(e.name + ': ' + e.message); process.exit(0); });`,
      { VK_ICD_FILENAMES: '/nonexistent/icd.json', RESIDUAL_WEBGPU_HARDWARE: '' },
    );
    expect(r.out).not.toMatch(/STARTED/);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/BackendUnavailableError/);
    expect(r.out).toMatch(/no GPU adapter/);
    expect(r.out).toMatch(/libvulkan1/);
    expect(r.out).toMatch(/vk_swiftshader_icd\.json/);
  });

  it('names the adapter it could not find when one is asked for by name', () => {
    const r = node(
      `const w = require('@residual/backend-webgpu'); w.setWebGPUOptions({ adapter: 'NoSuchGPU 9000' });
       require('@residual/tensor').useBackend('webgpu').then(() => process.exit(3), (e) => { console.log(e.message); process.exit(0); });`,
      {},
    );
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/no GPU adapter whose name contains 'NoSuchGPU 9000'/);
  });

  it('gives platform advice for every platform Dawn ships for', () => {
    expect(platformHelp('linux')).toMatch(/libvulkan1/);
    expect(platformHelp('darwin')).toMatch(/Metal/);
    expect(platformHelp('win32')).toMatch(/Direct3D 12/);
    expect(platformHelp('browser')).toMatch(/enable-unsafe-webgpu/);
  });
});
