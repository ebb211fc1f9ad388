#!/usr/bin/python3
"""Multiply-adds of torchvision resnet18 and the reference CIFAR ResNet-20 of torch_bench.py, counted by PyTorch forward hooks: the oracle for
packages/bench's FLOP counting (src/flops.test.ts). Writes packages/bench/fixtures/macs.json.

    /usr/bin/python3 tools/bench/gen_macs_fixture.py
"""
import json
import os

import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(__file__))
from torch_bench import CifarResNet  # noqa: E402  (the reference ResNet-20 the benchmark times)


def count(model, shape):
    macs = {"conv": 0, "linear": 0}

    def conv_hook(m, inp, out):
        kh, kw = m.kernel_size
        macs["conv"] += out.numel() * (m.in_channels // m.groups) * kh * kw

    def linear_hook(m, inp, out):
        macs["linear"] += out.numel() * m.in_features

    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(conv_hook)
        elif isinstance(m, torch.nn.Linear):
            m.register_forward_hook(linear_hook)
    model.eval()
    with torch.no_grad():
        model(torch.zeros(*shape))
    return macs


def main():
    out = {
        "generator": "tools/bench/gen_macs_fixture.py",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "models": {
            "resnet18": {"input": [1, 3, 32, 32], **count(torchvision.models.resnet18(weights=None), (1, 3, 32, 32))},
            "resnet20": {"input": [2, 3, 32, 32], **count(CifarResNet(20), (2, 3, 32, 32))},
        },
    }
    path = os.path.join(os.path.dirname(__file__), "..", "..", "packages", "bench", "fixtures", "macs.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
