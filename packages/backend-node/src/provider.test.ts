import { tf, useBackend, BackendUnavailableError } from '@residual/tensor';
import { detectNodeBackends, nodeBackendProvider, NODE_BACKEND_HELP } from './index';

// tfjs-node cannot be installed on our build machines (its install script downloads libtensorflow),
// so what we can and must test is the absent path: detection and the message a user sees.
describe('@residual/backend-node without tfjs-node installed', () => {
  it('detects that neither native package resolves', () => {
    expect(detectNodeBackends()).toEqual({ node: false, nodeGpu: false });
  });

  it('explains how to install tfjs-node when loading it', async () => {
    const err = await nodeBackendProvider({ gpu: false }).load().catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('@tensorflow/tfjs-node is not installed');
    expect((err as Error).message).toContain('libtensorflow');
  });

  it('names CUDA and cuDNN prerequisites for the GPU build', async () => {
    const err = (await nodeBackendProvider({ gpu: true }).load().catch((e: Error) => e)) as Error;
    expect(err.message).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect(err.message).toMatch(/CUDA 11\.2/);
    expect(err.message).toMatch(/cuDNN 8\.1/);
    expect(NODE_BACKEND_HELP['node-gpu']).toMatch(/install-scripts approve/);
  });

  it('makes useBackend fail clearly and leaves the current backend in place', async () => {
    await useBackend('cpu');
    const err = await useBackend('node-gpu').catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.backend).toBe('node-gpu');
    expect(err.message).toMatch(/npm i @residual\/backend-node @tensorflow\/tfjs-node-gpu/);
    expect(tf.getBackend()).toBe('cpu');
  });
});
