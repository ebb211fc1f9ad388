#!/usr/bin/python3
"""Writes the torchvision / PyTorch oracle fixtures that @residual/zoo's tests read.

Run with Debian's PyTorch 1.13 / torchvision 0.14 (not a virtualenv python):

    /usr/bin/python3 -m tools.zoo.gen_fixtures

Nothing here is downloaded: every weight is written by a closed-form formula that
packages/zoo/src/testing/formula.ts reproduces in float32, so the fixtures hold only
logits, running statistics, key lists, parameter counts and multiply-add counts.

The formula is tools/common/formula.py's (its docstring states it).
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision

from tools.common.formula import formula_input, load_formula, uniform
from tools.common.macs import count_macs
from tools.common.reference_models import (
    cifar_bottleneck_resnet,
    cifar_resnet,
    cifar_stem_resnet,
    preact_resnet18,
    wide_resnet,
)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'zoo', 'fixtures')


def f32list(t):
    return [float(v) for v in t.detach().reshape(-1).numpy().astype(np.float32)]


def equivalence(name, model, input_shape, stat_keys):
    # Weights and input are float32 values, but the reference forward runs in float64: a float32
    # PyTorch forward is itself ~1e-4 off the exact result in train mode (batch statistics of a few
    # values per channel amplify rounding), and the tests compare against the exact result.
    x = formula_input(*input_shape).double()
    load_formula(model).double().eval()
    with torch.no_grad():
        eval_logits = model(x)
    load_formula(model).double().train()
    with torch.no_grad():
        train_logits = model(x)
    sd = model.state_dict()
    stats = {key: f32list(sd[key]) for key in stat_keys}
    # How well-conditioned train mode is: a float32 PyTorch forward against the float64 one.
    load_formula(model).float().train()
    with torch.no_grad():
        train32 = model(x.float()).double()
    f32_err = ((train32 - train_logits).abs().max() / train_logits.abs().max()).item()
    lg = eval_logits.abs().max().item()
    spread = (eval_logits[0] - eval_logits[1]).abs().max().item()
    print(f'{name}: eval max|logit| {lg:.3f} std {eval_logits.std().item():.3f} sample diff {spread:.3f}; '
          f'train max|logit| {train_logits.abs().max().item():.3f}', file=sys.stderr)
    return {
        'name': name,
        'inputShape': list(input_shape),
        'evalLogits': f32list(eval_logits),
        'trainLogits': f32list(train_logits),
        'logitsShape': list(eval_logits.shape),
        'runningStatsAfterTrainForward': stats,
        'float32TrainError': f32_err,
    }


def keys_and_shapes(model):
    return [[k, list(v.shape)] for k, v in model.state_dict().items()]


def main():
    os.makedirs(OUT, exist_ok=True)
    tv = torchvision.models

    # 1. Logits with identical weights and input: torchvision ImageNet nets and the CIFAR reference.
    # The 50-layer nets get 96x96 inputs: at 64x64 their last stage normalises 8 values per channel,
    # which leaves even a float32 PyTorch forward 7e-5 off the exact logits in train mode. The 101-layer
    # ResNeXts get 128x128; through twice the depth even that leaves a float32 PyTorch forward 1.4e-4 off in
    # train mode (float32TrainError records it for every model, and the test holds us to PyTorch's own
    # float32 accuracy where that is worse than 1e-4).
    eq = [
        equivalence('resnet18', tv.resnet18(), (2, 3, 64, 64),
                    ['bn1.running_mean', 'bn1.running_var', 'layer4.1.bn2.running_var']),
        equivalence('resnet50', tv.resnet50(), (2, 3, 96, 96),
                    ['bn1.running_mean', 'layer4.0.downsample.1.running_var', 'layer4.2.bn3.running_var']),
        equivalence('resnet20', cifar_resnet(20, 'A'), (2, 3, 32, 32),
                    ['bn1.running_mean', 'bn1.running_var', 'layer3.2.bn2.running_var']),
        equivalence('resnet56', cifar_resnet(56, 'A'), (2, 3, 32, 32),
                    ['bn1.running_var', 'layer3.8.bn2.running_mean']),
        equivalence('resnet20_optionB', cifar_resnet(20, 'B'), (2, 3, 32, 32), ['layer2.0.downsample.1.running_var']),
        equivalence('plain20', cifar_resnet(20, 'A', plain=True), (2, 3, 32, 32), ['layer3.2.bn2.running_var']),
        equivalence('preact_resnet18', preact_resnet18(), (2, 3, 32, 32), ['bn_final.running_var']),
        equivalence('resnet18_cifar', cifar_stem_resnet(tv.resnet18()), (2, 3, 32, 32), ['bn1.running_var']),
        equivalence('cifar_resnet47_bottleneck', cifar_bottleneck_resnet(47), (2, 3, 32, 32), ['bn1.running_var']),
        equivalence('wide_resnet16_2', wide_resnet(16, 2), (2, 3, 32, 32), ['bn_final.running_var']),
        equivalence('resnext50_32x4d', tv.resnext50_32x4d(), (2, 3, 96, 96), ['layer1.0.bn2.running_var']),
        equivalence('resnext101_32x8d', tv.resnext101_32x8d(), (2, 3, 128, 128), ['layer3.22.bn2.running_var']),
        equivalence('resnext101_64x4d', tv.resnext101_64x4d(), (2, 3, 128, 128), ['layer2.0.bn2.running_var']),
        equivalence('wide_resnet50_2', tv.wide_resnet50_2(), (2, 3, 96, 96), ['layer4.2.bn2.running_var']),
    ]
    with open(os.path.join(OUT, 'equivalence.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'torchvision': torchvision.__version__,
                   'formulaCheck': {'n': 7, 'k': 3, 'values': [float(v) for v in uniform(7, 3)],
                                    'tailIndex': 2400000, 'tail': float(uniform(2400001, 5)[-1])},
                   'models': eq}, f)

    # 2. State-dict keys, parameter counts and multiply-adds of every architecture the zoo registers.
    imagenet = {n: getattr(tv, n)() for n in
                ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d',
                 'resnext101_32x8d', 'resnext101_64x4d', 'wide_resnet50_2', 'wide_resnet101_2']}
    refs = {}
    for n, m in imagenet.items():
        refs[n] = (m, (3, 224, 224))
    for d in [20, 32, 44, 56, 110, 1202]:
        refs[f'resnet{d}'] = (cifar_resnet(d, 'A'), (3, 32, 32))
        refs[f'resnet{d}_optionB'] = (cifar_resnet(d, 'B'), (3, 32, 32))
    for d in [20, 32, 44, 56, 110]:
        refs[f'plain{d}'] = (cifar_resnet(d, 'A', plain=True), (3, 32, 32))
    for d in [47, 56, 110, 164]:
        refs[f'cifar_resnet{d}_bottleneck'] = (cifar_bottleneck_resnet(d), (3, 32, 32))
    for n in ['resnet18', 'resnet34', 'resnet50']:
        refs[f'{n}_cifar'] = (cifar_stem_resnet(getattr(tv, n)()), (3, 32, 32))
    refs['preact_resnet18'] = (preact_resnet18(), (3, 32, 32))
    refs['wide_resnet28_10'] = (wide_resnet(28, 10), (3, 32, 32))

    out = {}
    for n, (m, shape) in refs.items():
        params = sum(p.numel() for p in m.parameters())
        big = n in ('resnet1202', 'resnet1202_optionB')
        out[n] = {
            'params': params,
            'macs': count_macs(m, (1, *shape))['total'],
            'inputShape': list(shape),
            # Long key lists of the deepest nets add nothing the shallower ones do not test.
            'keys': None if big else keys_and_shapes(m),
        }
        print(f'{n}: params {params} macs {out[n]["macs"]}', file=sys.stderr)
    with open(os.path.join(OUT, 'architectures.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'models': out}, f)


if __name__ == '__main__':
    main()
