#!/usr/bin/python3
"""Writes the oracle fixtures for `residual predict` (packages/cli/test/predict.test.ts).

Run with Debian's PyTorch 1.13 / torchvision 0.14, from the repository root:

    /usr/bin/python3 -m tools.cli.gen_predict_fixtures

The networks are torchvision's resnet18 and the CIFAR ResNet-20 reference of
tools/common/reference_models.py (the one the zoo is tested against). Weights and inputs are
tools/common/formula.py's closed-form formula, which @residual/zoo/testing reproduces; the jest test
writes those weights itself into a temporary .safetensors file with torchvision key names and PyTorch
layouts, so no weights are committed. Committed per model: the NCHW float32 input (np.save), the
logits torch computes in eval mode and in train mode (batch statistics), and the state-dict keys with
shapes and dtypes.
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision

from tools.common.formula import formula_input, load_formula
from tools.common.reference_models import cifar_resnet

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'packages', 'cli', 'fixtures', 'predict')

DTYPES = {torch.float32: 'F32', torch.int64: 'I64'}


def write(name, model, input_shape):
    # float32 weights and input, computed in float64: the exact result the float32 CLI is held to.
    load_formula(model)
    x = formula_input(*input_shape)
    model.double()
    with torch.no_grad():
        model.eval()
        eval_logits = model(x.double()).numpy().astype(np.float32)
        model.train()
        train_logits = model(x.double()).numpy().astype(np.float32)
    model.float()
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
