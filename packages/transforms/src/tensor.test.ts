import { tf, useBackend } from '@residual/tensor';
import { createImage, Normalize } from './index';
import { stackToTensor, toTensor, ToTensor } from './tensor';

describe('tensor bridge', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  test('uint8 -> [h, w, c] float in [0, 1]; FloatImage keeps layout; batches stack', async () => {
    const before = tf.memory().numTensors;
    const img = createImage(2, 3, 3, 51);
    img.data[5] = 255;
    const x = toTensor(img);
    expect(x.shape).toEqual([2, 3, 3]);
    const v = await x.data();
    expect(v[0]).toBeCloseTo(0.2, 6);
    expect(v[5]).toBe(1);
    const raw = toTensor(img, { dtype: 'int32' });
    expect(raw.dtype).toBe('int32');
    expect((await raw.data())[5]).toBe(255);
    const chw = new Normalize({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], layout: 'CHW' }).apply(img);
    const y = new ToTensor().apply(chw);
    expect(y.shape).toEqual([3, 2, 3]);
    const b = stackToTensor([img, img]);
    expect(b.shape).toEqual([2, 2, 3, 3]);
    expect((await b.data())[18 + 5]).toBe(1);
    expect(() => stackToTensor([img, createImage(3, 3, 3)])).toThrow(/item 1/);
    tf.dispose([x, raw, y, b]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
