#!/usr/bin/python3
"""PyTorch 1.13's print(module) text for the layers @residual/nn describes the same way.

Writes packages/nn/fixtures/reprs.json. Run: /usr/bin/python3 -m tools.nn.gen_reprs
"""
import json
import os

import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'nn', 'fixtures', 'reprs.json')

MODULES = {
    'conv_stem': nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),
    'conv_plain': nn.Conv2d(3, 8, 3),
    'conv_groups': nn.Conv2d(8, 16, (3, 1), padding=(1, 0), dilation=2, groups=4),
    'conv_same': nn.Conv2d(2, 3, 4, padding='same'),
    'bn': nn.BatchNorm2d(64),
    'bn_cma': nn.BatchNorm2d(8, eps=1e-3, momentum=None, affine=False, track_running_stats=False),
    'linear': nn.Linear(512, 1000),
    'linear_nobias': nn.Linear(4, 2, bias=False),
    'maxpool': nn.MaxPool2d(3, 2, 1),
    'avgpool': nn.AvgPool2d(2),
    'adaptive': nn.AdaptiveAvgPool2d(1),
    'adaptive_pair': nn.AdaptiveAvgPool2d((1, 1)),
    'flatten': nn.Flatten(),
    'dropout': nn.Dropout(0.2),
    'relu': nn.ReLU(),
    'identity': nn.Identity(),
    'sequential': nn.Sequential(nn.Conv2d(64, 128, 1, stride=2, bias=False), nn.BatchNorm2d(128)),
    'nested': nn.Sequential(nn.Sequential(nn.Linear(2, 3)), nn.ReLU()),
}

with open(OUT, 'w') as f:
    json.dump({k: str(m) for k, m in MODULES.items()}, f, indent=1)
print(f'wrote {OUT}')
