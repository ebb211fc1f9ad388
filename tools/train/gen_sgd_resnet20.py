#!/usr/bin/python3
"""Three SGD steps of the paper's CIFAR ResNet-20 in PyTorch 1.13, float64, the oracle for @residual/train.

Run:  /usr/bin/python3 -m tools.train.gen_sgd_resnet20
The network is tools/common/reference_models.cifar_resnet(20, 'A') with the zoo's formula weights
(tools/common/formula.load_formula, mirrored by packages/zoo/src/testing/formula.ts), rounded to float32
as the TypeScript side holds them, then computed in float64 (model.double()). Batch t (t = 0, 1, 2) is B
images 3xSxS with NCHW flat index j valued u(j, KEY + t) (the zoo's hash uniform, rounded to float32) and
labels y[i] = (7 i + 3 t) mod 10. Train mode, torch.optim.SGD(lr 0.1, momentum 0.9, weight_decay 1e-4),
F.cross_entropy. Writes packages/train/fixtures/<case>.json: the three losses, every value of a selection
of tensors after the three steps (PyTorch layouts), and for every state-dict tensor its sum, sum of squares
and every 61st value.

Why float64, and the conditioning check. A float32 run is the float64 run plus rounding noise, about
1e-6 of each tensor's scale on the ReLU inputs. That noise stays small only while it moves no ReLU input
across zero: a flipped element changes its gradient by O(1), and with this network and lr 0.1 one flip moves
tensors such as bn1.bias by 1-7% of their scale after three steps (measured: float64 runs whose weights and
inputs are perturbed by 1e-6 relative land 1e-2..7e-2 away). With tens of thousands of ReLU inputs per
call, some always lie within 1e-5 of scale of zero, so the script cannot demand that; it demands what makes
the comparison well-conditioned at float32's level and records it under 'conditioning':
  - reluMargin: the smallest |x| / max|x| over every F.relu input of the three steps, > MARGIN (3e-7,
    a few float32 roundings of the tensor's scale);
  - float32VsFloat64: the same three steps in float32 PyTorch agree with the oracle to < AGREE;
  - perturbedVsFloat64: TRIALS float64 runs with weights and inputs perturbed by JITTER (1e-7, one float32
    rounding) agree with the oracle to < AGREE.
Each case's input key is the one with the largest margin among keys 200000 + 3i (i < 50..150) for its
batch shape; at batch 8 x 32x32 the best of 150 keys had 1.9e-7, hence batch 4 for the 32x32 case.
Cases: B=4, S=32 (sgd_resnet20.json); B=2, S=32 (sgd_resnet20_b2.json, small enough for tfjs's cpu
backend); B=2, S=8 (sgd_resnet20_small.json).
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
from tools.common import reference_models
from tools.common.formula import load_formula, uniform
from tools.common.reference_models import cifar_resnet

FIXTURES = os.path.join(HERE, '..', '..', 'packages', 'train', 'fixtures')
STEPS, STRIDE = 3, 61
MARGIN, AGREE, JITTER, TRIALS = 3e-7, 2e-5, 1e-7, 4
# (file, batch, size, input key): each key is the best of a search over keys (200000 + 3i) by ReLU margin.
CASES = [('sgd_resnet20.json', 4, 32, 200360), ('sgd_resnet20_b2.json', 2, 32, 200081), ('sgd_resnet20_small.json', 2, 8, 200000)]
FULL = [
    'conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var',
    'layer1.0.conv1.weight', 'layer1.0.bn1.running_mean', 'layer1.0.bn1.running_var',
    'layer2.0.conv1.weight', 'layer2.0.bn2.weight', 'layer2.0.bn2.bias', 'layer2.0.bn2.running_mean', 'layer2.0.bn2.running_var',
    'layer3.2.bn2.weight', 'layer3.2.bn2.bias', 'layer3.2.bn2.running_mean', 'layer3.2.bn2.running_var',
    'fc.weight', 'fc.bias',
]

_relu = F.relu
_seen = []


def recording_relu(x, *a, **k):
    _seen.append(x.detach().clone())
    return _relu(x, *a, **k)


reference_models.F = type('F', (), {n: getattr(F, n) for n in dir(F) if not n.startswith('__')})
reference_models.F.relu = staticmethod(recording_relu)


def batch(t, n, size, key, dtype):
    x = torch.from_numpy(uniform(n * 3 * size * size, key + t).astype(np.float32).reshape(n, 3, size, size)).to(dtype)
    y = torch.tensor([(7 * i + 3 * t) % 10 for i in range(n)], dtype=torch.int64)
    return x, y


def train(n, size, key, dtype, jitter=None):
    """Three steps; returns (losses, state dict, the inputs of every F.relu call in order). `jitter` = seed
    of a relative perturbation of JITTER applied to every initial weight and input (float64 runs)."""
    model = load_formula(cifar_resnet(20, 'A')).to(dtype).train()
    gen = None
    if jitter is not None:
        gen = torch.Generator().manual_seed(jitter)
        with torch.no_grad():
            for v in model.state_dict().values():
                if v.is_floating_point():
                    v.mul_(1 + JITTER * (2 * torch.rand(v.shape, generator=gen, dtype=dtype) - 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    losses = []
    _seen.clear()
    for t in range(STEPS):
        x, y = batch(t, n, size, key, dtype)
        if gen is not None:
            x = x * (1 + JITTER * (2 * torch.rand(x.shape, generator=gen, dtype=dtype) - 1))
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return losses, model.state_dict(), list(_seen)


def rel(a, b):
    a, b = a.double(), b.double()
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))


def run(name, n, size, key):
    losses, sd, pre = train(n, size, key, torch.float64)
    losses32, sd32, _ = train(n, size, key, torch.float32)
    # Conditioning (see the module docstring): the ReLU margin, and whether float32-sized noise moves the result.
    margin = min(float(x.abs().min() / x.abs().max()) for x in pre)
    near = sum(int((x.abs() < 1e-6 * x.abs().max()).sum()) for x in pre)

    def dist(other_losses, other_sd):
        d = max(rel(other_sd[k], sd[k]) for k in sd if not k.endswith('num_batches_tracked'))
        return max(d, max(abs(a - b) / abs(b) for a, b in zip(other_losses, losses)))

    f32 = dist(losses32, sd32)
    jit = max(dist(*train(n, size, key, torch.float64, jitter=j)[:2]) for j in range(TRIALS))
    print(f'{name}: key {key}; {len(pre)} ReLU inputs; smallest |x|/max|x| {margin:.3g}, {near} elements < 1e-6 of scale; '
          f'float32 vs float64 {f32:.3g}; {TRIALS} perturbed ({JITTER:g}) float64 runs vs oracle {jit:.3g} (need margin > {MARGIN:g}, runs < {AGREE:g})')
    if not (margin > MARGIN and f32 < AGREE and jit < AGREE):
        raise SystemExit(f'{name}: key {key} is ill-conditioned; try another KEY')
    digest = {}
    for k, v in sd.items():
        d = v.detach().double().flatten()
        digest[k] = {'shape': list(v.shape), 'sum': float(d.sum()), 'sumsq': float((d * d).sum()), 'strided': [float(e) for e in d[::STRIDE]]}
    out = {
        'torch': torch.__version__, 'dtype': 'float64', 'batch': n, 'size': size, 'inputKey': key, 'steps': STEPS, 'stride': STRIDE,
        'optimizer': {'lr': 0.1, 'momentum': 0.9, 'weightDecay': 1e-4},
        'conditioning': {'reluMargin': margin, 'reluWithin1e-6': near, 'float32VsFloat64': f32, 'perturbedVsFloat64': jit, 'jitter': JITTER},
        'losses': losses,
        'full': {k: [float(e) for e in sd[k].double().flatten()] for k in FULL},
        'digest': digest,
    }
    path = os.path.join(FIXTURES, name)
    with open(path, 'w') as f:
        json.dump(out, f)
    print('wrote', os.path.normpath(path), os.path.getsize(path), 'bytes; losses', losses)


def main():
    torch.set_num_threads(1)
    only = sys.argv[1:]
    for case in CASES:
        if not only or case[0] in only:
            run(*case)


if __name__ == '__main__':
    main()
