import { tf, useBackend, Rng, hasKernel, BatchNormTraining } from '@residual/tensor';
import '@residual/backend-wasm';
import { BatchNorm2d } from '../index';

// BatchNorm2d.forwardRelu must be relu(forward(x) + residual) in every mode: fused on wasm in training,
// the composition elsewhere. Two BatchNorms with the same state run the two routes side by side.
function pair(c: number): [BatchNorm2d, BatchNorm2d] {
  const rng = new Rng(c);
  const make = () => {
    const bn = new BatchNorm2d(c);
    bn.weight!.assign(tf.tensor1d(Array.from({ length: c }, () => rng.uniform() * 2 - 1)));
    return bn;
  };
  const a = make();
  const b = new BatchNorm2d(c);
  b.weight!.assign(a.weight!);
  return [a, b];
}

describe.each(['cpu', 'wasm'] as const)('BatchNorm2d.forwardRelu on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    expect(hasKernel(BatchNormTraining)).toBe(backend === 'wasm');
  });
  const rng = new Rng(5);
  const x = () => tf.tensor4d(Array.from({ length: 4 * 5 * 5 * 6 }, () => rng.uniform() * 4 - 1), [4, 5, 5, 6]);

  test.each([true, false])('train mode, residual %s: values, gradients and running statistics', (withResidual) => {
    const [fused, plain] = pair(6);
    const input = x();
    const residual = withResidual ? x() : null;
    const before = tf.memory().numTensors;
    const run = (bn: BatchNorm2d, composed: boolean) =>
      tf.tidy(() => {
        const f = (a: tf.Tensor) =>
          composed ? tf.relu(residual ? tf.add(bn.forward(a), residual) : bn.forward(a)) : bn.forwardRelu(a, residual);
        const weights = tf.reshape(tf.range(0, input.size), input.shape);
        const loss = () => tf.sum(tf.mul(f(input), weights)) as tf.Scalar;
        const { value, grads } = tf.variableGrads(loss, [bn.weight!, bn.bias!]);
        const dx = tf.grad((a: tf.Tensor) => tf.sum(f(a)))(input);
        return [value, grads[bn.weight!.name], grads[bn.bias!.name], dx, bn.runningMean!, bn.runningVar!].map((t) => Array.from(t.dataSync()));
      });
    const a = run(fused, false);
    const b = run(plain, true);
    expect(tf.memory().numTensors).toBe(before);
    expect(a).toEqual(b);
    expect(Number(fused.numBatchesTracked!.dataSync()[0])).toBe(2);
  });

  test('eval mode and a replaced forward (foldBatchNorm) take the composition', () => {
    const [bn] = pair(6);
    const input = x();
    const residual = x();
    bn.eval();
    const expected = tf.relu(tf.add(bn.forward(input), residual));
    expect(Array.from(bn.forwardRelu(input, residual).dataSync())).toEqual(Array.from(expected.dataSync()));
    bn.train();
    bn.forward = (t: tf.Tensor) => t;
    expect(Array.from(bn.forwardRelu(input, residual).dataSync())).toEqual(
      Array.from(tf.relu(tf.add(input, residual)).dataSync()),
    );
  });

  test('a residual of the wrong shape is refused', () => {
    const [bn] = pair(6);
    expect(() => bn.forwardRelu(x(), tf.zeros([4, 5, 5, 1]))).toThrow(/residual has shape \[4, 5, 5, 1\]/);
  });
});
