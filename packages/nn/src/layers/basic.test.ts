import { tf, useBackend, seed, Rng } from '@residual/tensor';
import { Dropout, Flatten, Identity, Linear, ModuleList, ReLU, Sequential } from '../index';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('small layers', () => {
  it('ReLU, Identity', () => {
    expect(Array.from(new ReLU().forward(tf.tensor1d([-1, 0, 2])).dataSync())).toEqual([0, 0, 2]);
    const x = tf.ones([2]);
    expect(new Identity().forward(x)).toBe(x);
  });

  it('Flatten flattens NHWC in NCHW order (as torch.flatten on the NCHW tensor)', () => {
    // NCHW [1, 2, 2, 1] holding 0..3 is NHWC [1, 2, 1, 2] = [[[0, 2]], [[1, 3]]].
    const nhwc = tf.tensor4d([0, 2, 1, 3], [1, 2, 1, 2]);
    expect(Array.from(new Flatten().forward(nhwc).dataSync())).toEqual([0, 1, 2, 3]);
    expect(new Flatten().forward(tf.zeros([3, 1, 1, 5])).shape).toEqual([3, 5]);
  });

  it('Dropout: drops about p, scales by 1/(1−p), masks the gradient alike, identity in eval', () => {
    const drop = new Dropout(0.25, { rng: new Rng(4) });
    const x = tf.ones([100, 100]);
    const y = drop.forward(x).dataSync();
    const zeros = y.filter((v) => v === 0).length;
    expect(Math.abs(zeros / y.length - 0.25)).toBeLessThan(0.02);
    expect(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
    const seedOf = new Rng(4);
    const again = new Dropout(0.25, { rng: seedOf }).forward(x).dataSync();
    expect(Array.from(again)).toEqual(Array.from(y));
    const g = tf
      .grad((t) => tf.sum(new Dropout(0.25, { rng: new Rng(4) }).forward(t)))(x)
      .dataSync();
    expect(Array.from(g)).toEqual(Array.from(y));
    expect(drop.eval().forward(x)).toBe(x);
    expect(() => new Dropout(1.5)).toThrow(/\[0, 1\]/);
  });

  it('Dropout draws its seeds from globalRng by default', () => {
    const x = tf.ones([10, 10]);
    seed(3);
    const a = new Dropout(0.5).forward(x).dataSync();
    seed(3);
    const b = new Dropout(0.5).forward(x).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe('containers', () => {
  it('Sequential and ModuleList name children by index, support at() and iteration', () => {
    const seq = new Sequential(new Linear(2, 3), new ReLU()).append(new Linear(3, 1));
    expect(seq.length).toBe(3);
    expect(seq.at(-1)).toBeInstanceOf(Linear);
    expect(seq.forward(tf.ones([4, 2])).shape).toEqual([4, 1]);
    expect(() => seq.at(5)).toThrow(/out of range/);
    const list = new ModuleList([new Linear(2, 2), new Linear(2, 5)]);
    expect(list.namedParameters().map(([k]) => k)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect([...list].map((m) => (m as Linear).outFeatures)).toEqual([2, 5]);
    expect(() => list.forward(tf.ones([1, 2]))).toThrow(/no forward/);
  });
});
