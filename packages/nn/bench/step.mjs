#!/usr/bin/env node
// Times forward + backward of @residual/nn building blocks and prints one JSON object.
// Usage: npm run bench -w @residual/nn -- [--backend wasm|cpu] [--iters 5]
// Compares the closed-form BatchNorm backward with tfjs autograd through tf.moments + tf.batchNorm.
import { tf, useBackend, backendInfo, seed } from '@residual/tensor';
import { BatchNorm2d, BasicBlock, Bottleneck } from '@residual/nn';
import '@residual/backend-wasm';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const backend = arg('backend', 'wasm');
const iters = Number(arg('iters', '5'));

function time(fn) {
  fn(); // warm-up: kernels compile, buffers allocate
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) fn();
  return (performance.now() - t0) / iters;
}

function step(forward, params, x) {
  return () => {
    const { value, grads } = tf.variableGrads(() => tf.sum(forward(x)), params);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
}

await useBackend(backend);
seed(0);
const results = [];
const bnX = tf.randomNormal([32, 32, 32, 64]);
const bn = new BatchNorm2d(64);
results.push({
  name: 'batchnorm2d_train_closed_form',
  shape: bnX.shape,
  ms: time(step((x) => bn.forward(x), bn.parameters(), bnX)),
});
const autograd = (x) => {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, bn.bias, bn.weight, 1e-5);
};
results.push({
  name: 'batchnorm2d_train_autograd_reference',
  shape: bnX.shape,
  ms: time(step(autograd, bn.parameters(), bnX)),
});

const x64 = tf.randomNormal([8, 32, 32, 64]);
const basic = new BasicBlock(64, 64);
results.push({
  name: 'basic_block_64_train_step',
  shape: x64.shape,
  ms: time(step((x) => basic.forward(x), basic.parameters(), x64)),
});
const x256 = tf.randomNormal([8, 16, 16, 256]);
const resnext = new Bottleneck(256, 64, { groups: 32, baseWidth: 4 });
results.push({
  name: 'resnext_bottleneck_32x4d_train_step',
  shape: x256.shape,
  ms: time(step((x) => resnext.forward(x), resnext.parameters(), x256)),
});

const info = backendInfo();
console.log(
  JSON.stringify(
    { package: '@residual/nn', backend: info.name, threads: info.threads, simd: info.simd, iters, results },
    null,
    2,
  ),
);
