// `residual predict --weights TAG` prepares images with the weight set's own preprocessing, through the
// library's one decode path (datasets' decodeImage + transforms' resize and crop): equal to torchvision's
// `weights.transforms()` (tools/cli/gen_preprocess_fixtures.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, useBackend } from '@residual/tensor';
import { getWeights } from '@residual/zoo';
import { loadImages, weightsPreprocessing } from './images';

const FIX = join(__dirname, '..', '..', 'fixtures', 'preprocess');
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as {
  step: number;
  cases: Record<string, { shape: [number, number, number]; values: number[] }>;
};

describe.each(Object.keys(expected.cases))('the preprocessing of %s', (key) => {
  it("equals torchvision's on the same file", async () => {
    await useBackend('cpu');
    const [model, tag, kind] = key.split('.') as [string, string, 'pil' | 'tensor'];
    const pre = weightsPreprocessing(getWeights(model, tag).preprocessing);
    const x = await loadImages([join(FIX, 'photo.png')], 3, pre);
    const want = expected.cases[key]!;
    const [c, h, w] = want.shape;
    expect(x.shape).toEqual([1, h, w, c]);
    const chw = tf.tidy(() => tf.transpose(tf.squeeze(x, [0]), [2, 0, 1]).dataSync() as Float32Array);
    x.dispose();
    let worstLevels = 0;
    let worstAbs = 0;
    let bias = 0;
    want.values.forEach((v, i) => {
      const j = i * expected.step;
      const level = 1 / 255 / pre.std[Math.floor(j / (h * w))]!;
      const d = chw[j]! - v;
      worstLevels = Math.max(worstLevels, Math.abs(d) / level);
      worstAbs = Math.max(worstAbs, Math.abs(d));
      bias += d / level / want.values.length;
    });
    if (kind === 'tensor') {
      // Our resize is torchvision's antialiased tensor arithmetic: equal to the fixture's 6 digits.
      expect(worstAbs).toBeLessThanOrEqual(2e-4);
    } else {
      // PIL resizes in its own fixed-point arithmetic: a pixel may round one 8-bit level apart, never
      // more, and not more often one way than the other.
      expect(worstLevels).toBeLessThanOrEqual(1.01);
      expect(Math.abs(bias)).toBeLessThan(0.05);
    }
  });
});
