#!/usr/bin/python3
"""Three SGD steps of the paper's CIFAR ResNet-20 in PyTorch 1.13, the oracle for @residual/train.

Run:  /usr/bin/python3 tools/train/gen_sgd_resnet20.py
The network is tools/zoo/reference_models.cifar_resnet(20, 'A') with the zoo's formula weights
(tools/zoo/gen_fixtures.load_formula, mirrored by packages/zoo/src/testing/formula.ts). Batch t
(t = 0, 1, 2) is B images 3xSxS with NCHW flat index j valued u(j, 200000 + t) (the zoo's hash
uniform) and labels y[i] = (7 i + 3 t) mod 10. Train mode, torch.optim.SGD(lr 0.1, momentum 0.9,
weight_decay 1e-4), F.cross_entropy. Writes packages/train/fixtures/sgd_resnet20.json: the three
losses, every value of a selection of tensors after the three steps (PyTorch layouts), and for every
state-dict tensor its sum, sum of squares and every 61st value.
Two cases: B=8, S=32 (sgd_resnet20.json, the CIFAR shape) and B=2, S=8 (sgd_resnet20_small.json, for
tfjs's cpu backend, whose Conv2DBackpropFilter takes minutes at 32x32).
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'zoo'))
from gen_fixtures import load_formula, uniform  # noqa: E402
from reference_models import cifar_resnet  # noqa: E402

FIXTURES = os.path.join(HERE, '..', '..', 'packages', 'train', 'fixtures')
STEPS, STRIDE = 3, 61
CASES = [('sgd_resnet20.json', 8, 32), ('sgd_resnet20_small.json', 2, 8)]
FULL = [
    'conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var',
    'layer1.0.conv1.weight', 'layer1.0.bn1.running_mean', 'layer1.0.bn1.running_var',
    'layer2.0.conv1.weight', 'layer2.0.bn2.weight', 'layer2.0.bn2.bias', 'layer2.0.bn2.running_mean', 'layer2.0.bn2.running_var',
    'layer3.2.bn2.weight', 'layer3.2.bn2.bias', 'layer3.2.bn2.running_mean', 'layer3.2.bn2.running_var',
    'fc.weight', 'fc.bias',
]


def batch(t, n, size):
    x = torch.from_numpy(uniform(n * 3 * size * size, 200000 + t).astype(np.float32).reshape(n, 3, size, size))
    y = torch.tensor([(7 * i + 3 * t) % 10 for i in range(n)], dtype=torch.int64)
    return x, y


def f32(t):
    return [float(v) for v in t.detach().double().flatten()]


def run(name, n, size):
    model = load_formula(cifar_resnet(20, 'A')).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    losses = []
    for t in range(STEPS):
        x, y = batch(t, n, size)
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    sd = model.state_dict()
    digest = {}
    for k, v in sd.items():
        d = v.detach().double().flatten()
        digest[k] = {'shape': list(v.shape), 'sum': float(d.sum()), 'sumsq': float((d * d).sum()), 'strided': [float(e) for e in d[::STRIDE]]}
    out = {
        'torch': torch.__version__, 'batch': n, 'size': size, 'steps': STEPS, 'stride': STRIDE,
        'optimizer': {'lr': 0.1, 'momentum': 0.9, 'weightDecay': 1e-4},
        'losses': losses,
        'full': {k: f32(sd[k]) for k in FULL},
        'digest': digest,
    }
    path = os.path.join(FIXTURES, name)
    with open(path, 'w') as f:
        json.dump(out, f)
    print('wrote', os.path.normpath(path), os.path.getsize(path), 'bytes; losses', losses)


def main():
    torch.set_num_threads(1)
    for case in CASES:
        run(*case)


if __name__ == '__main__':
    main()
