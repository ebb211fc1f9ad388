import { tf, useBackend, backendInfo, availableBackends, BackendUnavailableError, seed, globalRng } from './index';

describe('@residual/tensor', () => {
  it('registers gradients and chained ops on the one tfjs-core', async () => {
    await useBackend('cpu');
    const g = tf.grad((x: tf.Tensor) => x.square().sum())(tf.tensor1d([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6]);
    expect(tf.getGradient('Conv2D')).toBeDefined();
    expect(tf.getGradient('FusedBatchNorm')).toBeDefined();
  });

  it('switches between cpu and wasm and describes the backend', async () => {
    expect(await useBackend('wasm')).toBe('wasm');
    const info = backendInfo();
    expect(info.name).toBe('wasm');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(tf.getBackend()).toBe('wasm');
    await useBackend('cpu');
    expect(backendInfo()).toMatchObject({ name: 'cpu', tfName: 'cpu', threads: 1, simd: null });
  });

  it('names the package to install when an optional backend is missing', async () => {
    const err = await useBackend('node').catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toMatch(/@tensorflow\/tfjs-node/);
    expect(err.message).toMatch(/libtensorflow/);
    const gpu = await useBackend('node-gpu').catch((e) => e);
    expect(gpu.message).toMatch(/CUDA/);
    await expect(useBackend('webgl')).rejects.toThrow(/browser/);
    await expect(useBackend('bogus' as never)).rejects.toThrow(/unknown backend 'bogus'/);
  });

  it('lists the backends that start here and auto picks the fastest of them, never a software GPU', async () => {
    const names = await availableBackends();
    // webgpu starts here on SwiftShader (jest.preset.cjs points Dawn at it), a software adapter…
    expect(names).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(backendInfo().name).not.toBe('webgpu'); // the backend active before the call stays active
    await useBackend('webgpu');
    expect(backendInfo().adapter?.isFallback).toBe(true);
    // …which 'auto' passes over for wasm.
    expect(await useBackend('auto')).toBe('wasm');
    await useBackend('cpu');
  });

  it('seed makes the global generator reproducible', () => {
    seed(123);
    const a = globalRng().normal();
    seed(123);
    expect(globalRng().normal()).toBe(a);
  });
});
