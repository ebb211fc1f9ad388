#!/usr/bin/python3
"""Multiply-adds of torchvision resnet18 and the reference CIFAR ResNet-20 of torch_bench.py, counted by PyTorch forward hooks: the oracle for
packages/bench's FLOP counting (src/flops.test.ts). Writes packages/bench/fixtures/macs.json.

    /usr/bin/python3 -m tools.bench.gen_macs_fixture
"""
import json
import os

import torch
import torchvision

from tools.bench.torch_bench import cifar_resnet20
from tools.common.macs import count_macs


def count(model, shape):
    """Multiply-adds of the whole batch `shape`, split into conv and linear."""
    per = count_macs(model, shape)
    return {'conv': per['conv'] * shape[0], 'linear': per['linear'] * shape[0]}


def main():
    out = {
        "generator": "tools/bench/gen_macs_fixture.py",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "models": {
            "resnet18": {"input": [1, 3, 32, 32], **count(torchvision.models.resnet18(weights=None), (1, 3, 32, 32))},
            "resnet20": {"input": [2, 3, 32, 32], **count(cifar_resnet20(), (2, 3, 32, 32))},
        },
    }
    path = os.path.join(os.path.dirname(__file__), "..", "..", "packages", "bench", "fixtures", "macs.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
