#!/usr/bin/python3
"""Learning-rate sequences of torch.optim.lr_scheduler (PyTorch 1.13) for @residual/train's tests.

Run with Debian's python3-torch:  /usr/bin/python3 -m tools.train.gen_schedules
Writes packages/train/fixtures/schedules.json: for every config, the learning rate of every parameter
group in use at steps 0..199 (read before each scheduler.step()), plus the metric sequence that drives
ReduceLROnPlateau. The TypeScript test rebuilds each config from its `spec` and compares exactly.
"""
import json
import math
import os
import warnings

import torch
from torch.optim import SGD
from torch.optim import lr_scheduler as S

warnings.filterwarnings("ignore")
STEPS = 200
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "packages", "train", "fixtures", "schedules.json")


def metric(i, kind):
    # A noisy, mostly decreasing loss-like curve (or increasing accuracy-like one) with plateaus.
    base = 1.0 / (1.0 + 0.03 * i) + 0.05 * math.sin(i * 0.7) + (0.2 if (i // 25) % 2 else 0.0)
    return base if kind == "min" else 1.0 - base


def make_opt(lrs):
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    return SGD(groups, lr=lrs[0], momentum=0.9)


def build(opt, spec):
    k = spec["kind"]
    if k == "multiStepLR":
        return S.MultiStepLR(opt, milestones=spec["milestones"], gamma=spec["gamma"])
    if k == "stepLR":
        return S.StepLR(opt, step_size=spec["stepSize"], gamma=spec["gamma"])
    if k == "exponentialLR":
        return S.ExponentialLR(opt, gamma=spec["gamma"])
    if k == "cosineAnnealingLR":
        return S.CosineAnnealingLR(opt, T_max=spec["tMax"], eta_min=spec["etaMin"])
    if k == "linearLR":
        return S.LinearLR(opt, start_factor=spec["startFactor"], end_factor=spec["endFactor"], total_iters=spec["totalIters"])
    if k == "constantLR":
        return S.ConstantLR(opt, factor=spec["factor"], total_iters=spec["totalIters"])
    if k == "reduceLROnPlateau":
        return S.ReduceLROnPlateau(opt, mode=spec["mode"], factor=spec["factor"], patience=spec["patience"],
                                   threshold=spec["threshold"], threshold_mode=spec["thresholdMode"],
                                   cooldown=spec["cooldown"], min_lr=spec["minLr"], eps=spec["eps"])
    if k == "sequentialLR":
        subs = [build(opt, s) for s in spec["schedulers"]]
        return S.SequentialLR(opt, schedulers=subs, milestones=spec["milestones"])
    if k == "chainedScheduler":
        subs = [build(opt, s) for s in spec["schedulers"]]
        return S.ChainedScheduler(subs)
    raise ValueError(k)


CONFIGS = [
    ("multistep", [0.1], {"kind": "multiStepLR", "milestones": [30, 80, 120], "gamma": 0.1}),
    ("multistep-repeated-2groups", [0.1, 0.02], {"kind": "multiStepLR", "milestones": [50, 50, 150], "gamma": 0.5}),
    ("step", [0.1], {"kind": "stepLR", "stepSize": 30, "gamma": 0.1}),
    ("exponential", [0.1], {"kind": "exponentialLR", "gamma": 0.97}),
    ("cosine-periodic", [0.1], {"kind": "cosineAnnealingLR", "tMax": 50, "etaMin": 0.001}),
    ("cosine-long", [0.05, 0.2], {"kind": "cosineAnnealingLR", "tMax": 200, "etaMin": 0.0}),
    ("linear", [0.1], {"kind": "linearLR", "startFactor": 0.25, "endFactor": 1.0, "totalIters": 10}),
    ("constant", [0.1], {"kind": "constantLR", "factor": 0.1, "totalIters": 40}),
    ("plateau-min-rel", [0.1, 0.01], {"kind": "reduceLROnPlateau", "mode": "min", "factor": 0.5, "patience": 3,
                                      "threshold": 1e-2, "thresholdMode": "rel", "cooldown": 2, "minLr": 1e-3,
                                      "eps": 1e-8}),
    ("plateau-max-abs", [0.1], {"kind": "reduceLROnPlateau", "mode": "max", "factor": 0.3, "patience": 5,
                                "threshold": 1e-3, "thresholdMode": "abs", "cooldown": 0, "minLr": 0.0,
                                "eps": 1e-8}),
    ("warmup-sequential-cosine", [0.1], {"kind": "sequentialLR", "milestones": [5], "schedulers": [
        {"kind": "linearLR", "startFactor": 0.1, "endFactor": 1.0, "totalIters": 5},
        {"kind": "cosineAnnealingLR", "tMax": 195, "etaMin": 0.0}]}),
    ("warmup-sequential-multistep", [0.1], {"kind": "sequentialLR", "milestones": [10], "schedulers": [
        {"kind": "linearLR", "startFactor": 0.1, "endFactor": 1.0, "totalIters": 10},
        {"kind": "multiStepLR", "milestones": [60, 120], "gamma": 0.1}]}),
    ("warmup-chained-multistep", [0.1], {"kind": "chainedScheduler", "schedulers": [
        {"kind": "linearLR", "startFactor": 0.1, "endFactor": 1.0, "totalIters": 10},
        {"kind": "multiStepLR", "milestones": [100, 150], "gamma": 0.1}]}),
    ("resnet110-warmup-chained", [0.1], {"kind": "chainedScheduler", "schedulers": [
        {"kind": "constantLR", "factor": 0.1, "totalIters": 20},
        {"kind": "multiStepLR", "milestones": [100, 150], "gamma": 0.1}]}),
    ("chained-exp-step", [0.1, 0.3], {"kind": "chainedScheduler", "schedulers": [
        {"kind": "exponentialLR", "gamma": 0.99},
        {"kind": "stepLR", "stepSize": 40, "gamma": 0.5}]}),
]


def main():
    out = []
    for name, lrs, spec in CONFIGS:
        opt = make_opt(lrs)
        sched = build(opt, spec)
        seq, metrics = [], []
        for i in range(STEPS):
            seq.append([g["lr"] for g in opt.param_groups])
            opt.step()
            if spec["kind"] == "reduceLROnPlateau":
                m = metric(i, spec["mode"])
                metrics.append(m)
                sched.step(m)
            else:
                sched.step()
        entry = {"name": name, "lrs": lrs, "spec": spec, "sequence": seq}
        if metrics:
            entry["metrics"] = metrics
        out.append(entry)
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "steps": STEPS, "configs": out}, f)
    print("wrote", os.path.normpath(OUT), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
