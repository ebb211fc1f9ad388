import { tf, useBackend, seed, Rng } from '@residual/tensor';
import { Conv2d, Linear, fans, initTensor } from './index';

beforeAll(async () => {
  await useBackend('cpu');
});

function stats(t: tf.Tensor): { mean: number; std: number; maxAbs: number } {
  const v = t.dataSync();
  let s = 0;
  let s2 = 0;
  let m = 0;
  for (const x of v) {
    s += x;
    s2 += x * x;
    m = Math.max(m, Math.abs(x));
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), maxAbs: m };
}

describe('initialisation follows torch.nn.init', () => {
  it('computes fans as torch (fan_out = size(0) · receptive field, also for grouped convs)', () => {
    expect(fans([64, 3, 7, 7])).toEqual({ fanIn: 147, fanOut: 3136 });
    expect(fans([16, 2, 3, 3])).toEqual({ fanIn: 18, fanOut: 144 });
    expect(fans([10, 512])).toEqual({ fanIn: 512, fanOut: 10 });
  });

  it("Conv2d defaults to torchvision ResNet's kaiming_normal_(fan_out, relu)", () => {
    seed(3);
    const conv = new Conv2d(64, 128, 3, { bias: false });
    const { mean, std } = stats(conv.weight);
    const want = Math.sqrt(2 / (128 * 9));
    expect(Math.abs(mean)).toBeLessThan(want * 0.02);
    expect(Math.abs(std / want - 1)).toBeLessThan(0.02);
    expect(conv.bias).toBeNull();
    conv.dispose();
  });

  it("Conv2d init 'torchDefault' and Linear use U(−1/√fan_in, 1/√fan_in) for weight and bias", () => {
    const conv = new Conv2d(32, 64, 3, { init: 'torchDefault', rng: new Rng(5) });
    const bound = 1 / Math.sqrt(32 * 9);
    const w = stats(conv.weight);
    expect(w.maxAbs).toBeLessThanOrEqual(bound);
    expect(w.maxAbs).toBeGreaterThan(bound * 0.99);
    expect(Math.abs(w.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.03);
    expect(stats(conv.bias!).maxAbs).toBeLessThanOrEqual(bound);
    const fc = new Linear(512, 1000, { rng: new Rng(6) });
    const lb = 1 / Math.sqrt(512);
    const lw = stats(fc.weight);
    expect(lw.maxAbs).toBeLessThanOrEqual(lb);
    expect(lw.maxAbs).toBeGreaterThan(lb * 0.99);
    expect(stats(fc.bias!).maxAbs).toBeLessThanOrEqual(lb);
    conv.dispose();
    fc.dispose();
  });

  it('fills in PyTorch element order, so the same Rng gives the same OIHW tensor', () => {
    const conv = new Conv2d(3, 4, 3, { bias: false, rng: new Rng(9) });
    const direct = initTensor([4, 3, 3, 3], 'kaimingNormal', new Rng(9));
    const sd = conv.stateDict();
    expect(Array.from(sd['weight'].dataSync())).toEqual(Array.from(direct.dataSync()));
    tf.dispose([direct, ...Object.values(sd)]);
    conv.dispose();
  });

  it('an injected Rng is used instead of the global one', () => {
    seed(0);
    const a = new Linear(4, 3, { rng: new Rng(1) });
    seed(99);
    const b = new Linear(4, 3, { rng: new Rng(1) });
    expect(Array.from(a.weight.dataSync())).toEqual(Array.from(b.weight.dataSync()));
    a.dispose();
    b.dispose();
  });
});
