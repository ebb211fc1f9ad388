#!/usr/bin/python3
"""Writes the oracle fixtures for `residual predict` (packages/cli/test/predict.test.ts).

Run with Debian's PyTorch 1.13 / torchvision 0.14:

    /usr/bin/python3 tools/cli/gen_predict_fixtures.py

The networks are torchvision's resnet18 and the CIFAR ResNet-20 reference of
tools/zoo/reference_models.py (the one the zoo is tested against). Weights follow the closed-form
formula below, which packages/cli/test/formula.ts reproduces; the jest test writes those weights
itself into a temporary .safetensors file with torchvision key names and PyTorch layouts, so no
weights are committed.

Formula (k = index of the key in the sorted key list, i = flat index in PyTorch layout,
t = 0.37 * i + 1.3 * k, computed in float64 and rounded to float32):
  *.num_batches_tracked 0;  *.running_mean 0.1 sin t;  *.running_var 1 + 0.5 |sin t|;
  conv weight sin t * sqrt(2 / fan_in);  linear weight sin t / sqrt(in);  norm weight 1 + 0.1 sin t;
  bias 0.1 cos t.
Input x with flat NCHW index j: sin(0.013 j + 0.5) + 0.5 cos(0.071 j). Committed per model: the NCHW float32 input (np.save), the logits torch computes in
eval mode and in train mode (batch statistics), and the state-dict keys with shapes and dtypes.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'zoo'))
from reference_models import cifar_resnet  # noqa: E402

OUT = os.path.join(HERE, '..', '..', 'packages', 'cli', 'fixtures', 'predict')

DTYPES = {torch.float32: 'F32', torch.int64: 'I64'}


def formula_tensor(key, shape, k):
    n = int(np.prod(shape)) if len(shape) else 1
    t = 0.37 * np.arange(n, dtype=np.float64) + 1.3 * k
    s = np.sin(t)
    if key.endswith('running_mean'):
        v = 0.1 * s
    elif key.endswith('running_var'):
        v = 1.0 + 0.5 * np.abs(s)
    elif key.endswith('bias'):
        v = 0.1 * np.cos(t)
    elif key.endswith('weight') and len(shape) == 4:
        v = s * math.sqrt(2.0 / (shape[1] * shape[2] * shape[3]))
    elif key.endswith('weight') and len(shape) == 2:
        v = s / math.sqrt(shape[1])
    elif key.endswith('weight') and len(shape) == 1:
        v = 1.0 + 0.1 * s
    else:
        raise ValueError(f'no formula for {key} {shape}')
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def load_formula(model):
    sd = model.state_dict()
    keys = sorted(sd.keys())
    new = {}
    for k, key in enumerate(keys):
        if key.endswith('num_batches_tracked'):
            new[key] = torch.zeros_like(sd[key])
        else:
            new[key] = formula_tensor(key, tuple(sd[key].shape), k)
    model.load_state_dict(new, strict=True)
    return model


def formula_input(n, c, h, w):
    j = np.arange(n * c * h * w, dtype=np.float64)
    x = np.sin(0.013 * j + 0.5) + 0.5 * np.cos(0.071 * j)
    return torch.from_numpy(x.astype(np.float32).reshape(n, c, h, w))


def write(name, model, input_shape):
    load_formula(model)
    x = formula_input(*input_shape)
    with torch.no_grad():
        model.eval()
        eval_logits = model(x).numpy().astype(np.float32)
        model.train()
        train_logits = model(x).numpy().astype(np.float32)
    np.save(os.path.join(OUT, f'{name}.input.npy'), x.numpy())
    np.save(os.path.join(OUT, f'{name}.logits.npy'), eval_logits)
    np.save(os.path.join(OUT, f'{name}.train_logits.npy'), train_logits)
    sd = load_formula(model).state_dict()
    keys = [[k, list(v.shape), DTYPES[v.dtype]] for k, v in sd.items()]
    with open(os.path.join(OUT, f'{name}.keys.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'keys': keys}, f)
    print(f'{name}: logits {eval_logits.shape} max|eval| {np.abs(eval_logits).max():.3f} '
          f'max|train| {np.abs(train_logits).max():.3f}', file=sys.stderr)


def main():
    os.makedirs(OUT, exist_ok=True)
    write('resnet18', torchvision.models.resnet18(), (1, 3, 64, 64))
    write('resnet20', cifar_resnet(20, 'A'), (2, 3, 32, 32))


if __name__ == '__main__':
    main()
