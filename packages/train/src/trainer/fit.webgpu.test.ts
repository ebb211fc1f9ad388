// fit() on webgpu (SwiftShader in CI, see jest.preset.cjs; the machine's GPU with
// RESIDUAL_WEBGPU_HARDWARE=1): a zoo ResNet-20 trains for 20 steps with validation and checkpoints,
// the tensor count stays flat, and the checkpoint (read back asynchronously) resumes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeWebGPUErrors } from '@residual/backend-webgpu';
import { tf, useBackend, seed } from '@residual/tensor';
import { createModel } from '@residual/zoo';
import { FormulaLoader } from '../testing/helpers';
import { fit } from './fit';
import { sgd } from '../optim/sgd';
import { listCheckpoints, loadCheckpoint } from '../checkpoint/checkpoint';

describe('fit on webgpu', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('webgpu');
    dir = mkdtempSync(join(tmpdir(), 'residual-fit-webgpu-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await useBackend('cpu');
  });

  it('trains ResNet-20 for 20 steps with flat tf.memory().numTensors, validation and checkpoints', async () => {
    seed(3);
    const model = createModel('resnet20', { numClasses: 3, inChannels: 1 });
    const optimizer = sgd({ lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
    const counts: number[] = [];
    const losses: number[] = [];
    const r = await fit({
      model,
      train: new FormulaLoader(10, 4, 8, 3),
      val: new FormulaLoader(2, 4, 8, 3),
      optimizer,
      iterations: 20,
      checkpointDir: dir,
      progress: false,
      callbacks: {
        onBatchEnd: (i) => {
          losses.push(i.loss);
          if (i.iteration > 1) counts.push(tf.memory().numTensors);
        },
      },
    });
    expect(takeWebGPUErrors()).toEqual([]);
    expect(counts).toHaveLength(19);
    expect(Math.max(...counts)).toBe(Math.min(...counts));
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(r.history).toHaveLength(2);
    expect(Number.isFinite(r.history[1]!.val_loss!)).toBe(true);
    // The checkpoint holds the trained weights, read back from the GPU.
    const names = listCheckpoints(dir);
    expect(names.length).toBeGreaterThan(0);
    const ck = loadCheckpoint(names[names.length - 1]!);
    expect(ck.meta.iteration).toBe(20);
    const sd = model.stateDict();
    const w = await sd['conv1.weight']!.data();
    tf.dispose(Object.values(sd));
    expect(Array.from(ck.model['conv1.weight']!.data)).toEqual(Array.from(w));
    model.dispose();
  }, 600000);
});
