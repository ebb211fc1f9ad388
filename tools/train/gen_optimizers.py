#!/usr/bin/python3
"""Parameter trajectories of torch.optim SGD / Adam / AdamW (PyTorch 1.13) for @residual/train's tests.

Run:  /usr/bin/python3 -m tools.train.gen_optimizers
Two parameters (a 3x4 'weight' and a 4 'bias' in a second group) start at w[i] = sin(0.37 i + k) and
receive the formula gradients g_t[i] = sin(0.21 i + 0.9 t + k) * 0.5 + 0.1 p[i] (a gradient that depends
on the parameter, as real ones do) for 6 steps. Writes packages/train/fixtures/optimizers.json.
"""
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "packages", "train", "fixtures", "optimizers.json")
STEPS = 6


def formula(n, k, a=0.37):
    return torch.tensor([math.sin(a * i + k) for i in range(n)], dtype=torch.float32)


def run(kind, opts, group2):
    w = torch.nn.Parameter(formula(12, 0.0).reshape(3, 4))
    b = torch.nn.Parameter(formula(4, 1.0))
    groups = [{"params": [w]}, dict({"params": [b]}, **group2)]
    opt = getattr(torch.optim, kind)(groups, **opts)
    traj = []
    for t in range(STEPS):
        for k, p in ((0.0, w), (1.0, b)):
            g = formula(p.numel(), 0.9 * t + k, 0.21).reshape(p.shape) * 0.5 + 0.1 * p.detach()
            p.grad = g
        opt.step()
        traj.append({"weight": w.detach().flatten().tolist(), "bias": b.detach().flatten().tolist()})
    return traj


CASES = [
    ("sgd-plain", "SGD", {"lr": 0.1}, {}),
    ("sgd-paper", "SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4}, {"weight_decay": 0.0}),
    ("sgd-dampening", "SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 5e-3}, {"lr": 0.2}),
    ("sgd-nesterov", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}, {}),
    ("adam", "Adam", {"lr": 0.01, "weight_decay": 1e-2}, {"weight_decay": 0.0}),
    ("adam-amsgrad", "Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "amsgrad": True}, {}),
    ("adamw", "AdamW", {"lr": 0.01, "weight_decay": 0.1}, {"lr": 0.03}),
]

CAMEL = {"weight_decay": "weightDecay"}


def main():
    out = []
    for name, kind, opts, group2 in CASES:
        out.append({
            "name": name, "kind": kind,
            "options": {CAMEL.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()},
            "group2": {CAMEL.get(k, k): v for k, v in group2.items()},
            "trajectory": run(kind, opts, group2),
        })
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "steps": STEPS, "cases": out}, f)
    print("wrote", os.path.normpath(OUT), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
