import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, useBackend } from '@residual/tensor';
import { loadWeights } from '@residual/nn';
import { createModel } from './index';

// A CIFAR ResNet-20 saved by PyTorch 1.13's torch.save(model.state_dict()) (tools/nn/gen_pth_fixtures.py,
// the option-A reference of tools/common/reference_models.py) and its eval-mode logits.
const DIR = join(__dirname, '..', 'fixtures', 'pth');

test("a torch-saved .pth loads into the zoo's resnet20 with PyTorch-equal logits", async () => {
  await useBackend('cpu');
  const ref = JSON.parse(readFileSync(join(DIR, 'resnet20.json'), 'utf8')) as {
    input_nchw: number[];
    logits: number[];
    keys: string[];
  };
  const sd = await loadWeights(join(DIR, 'resnet20.pth'));
  expect(Object.keys(sd)).toEqual(ref.keys);
  const model = createModel('resnet20', { numClasses: 10 });
  model.loadStateDict(sd);
  model.eval();
  tf.dispose(Object.values(sd));
  const x = tf.transpose(tf.tensor4d(ref.input_nchw, [2, 3, 32, 32]), [0, 2, 3, 1]);
  const logits = Array.from(model.forward(x).dataSync());
  let worst = 0;
  const scale = Math.max(...ref.logits.map(Math.abs));
  logits.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref.logits[i]!) / scale)));
  expect(worst).toBeLessThanOrEqual(1e-4);
  model.dispose();
});
