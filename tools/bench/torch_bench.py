#!/usr/bin/python3
"""PyTorch CPU side of `npm run bench`: times the same models as packages/bench, prints one JSON object.

Run with Debian's interpreter, which has torch 1.13 / torchvision 0.14, from the repository root:
    /usr/bin/python3 -m tools.bench.torch_bench --threads 2 --reps 5 --warmup 2
With ONEDNN_MAX_CPU_ISA=AVX2 in the environment, oneDNN (PyTorch's convolutions) runs as on a CPU without
AVX-512; the report's max_cpu_isa says which cap the run had.
Cases (names shared with the JS harness):
    resnet20-train   CIFAR ResNet-20 (He et al. 2016, option A shortcuts), 32x32, batch 128, one SGD step
    resnet20-infer   same model, eval mode, no grad
    resnet50-infer   torchvision resnet50, 224x224, batch 16, eval mode, no grad
    resnet50-train   torchvision resnet50, 224x224, batch 32, one SGD step
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from tools.common.reference_models import cifar_resnet


def cifar_resnet20():
    """The CIFAR ResNet-20 the zoo is tested against (option A), He-initialised as the JS side is."""
    model = cifar_resnet(20, 'A')
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight)
    return model


def timed(fn, warmup, reps):
    """Wall and process CPU time (all threads; OpenMP spin-waiting counts too) of each repetition, in ms."""
    for _ in range(warmup):
        fn()
    times, cpu = [], []
    for _ in range(reps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.process_time() - c0) * 1000.0)
    return times, cpu


def case(name, mode, batch, measured):
    times, cpu = measured
    med = statistics.median(times)
    return {
        "name": name,
        "mode": mode,
        "batch": batch,
        "median_ms": med,
        "images_per_s": batch / med * 1000.0,
        "times_ms": times,
        "cpu_median_ms": statistics.median(cpu),
        "cpu_times_ms": cpu,
    }


def bench_train(model, batch, size, warmup, reps):
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(batch, 3, size, size, generator=g)
    y = torch.randint(0, 10, (batch,), generator=g)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return timed(step, warmup, reps)


def bench_infer(model, batch, size, warmup, reps):
    model.eval()
    x = torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(0))

    def run():
        with torch.no_grad():
            model(x)

    return timed(run, warmup, reps)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated case names")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    only = set(filter(None, args.only.split(",")))
    want = lambda n: not only or n in only  # noqa: E731
    results = []
    # What the GEMM reaches here: the ceiling the convolutions are measured against.
    a = torch.randn(1024, 1024)
    peak, _ = timed(lambda: torch.mm(a, a), 2, 5)
    peak_gflops = 2 * 1024**3 / (statistics.median(peak) * 1e6)
    if want("resnet20-train"):
        results.append(case("resnet20-train", "train", 128, bench_train(cifar_resnet20(), 128, 32, args.warmup, args.reps)))
    if want("resnet20-infer"):
        results.append(case("resnet20-infer", "infer", 128, bench_infer(cifar_resnet20(), 128, 32, args.warmup, args.reps)))
    if want("resnet50-infer"):
        import torchvision

        model = torchvision.models.resnet50(weights=None)
        results.append(case("resnet50-infer", "infer", 16, bench_infer(model, 16, 224, args.warmup, args.reps)))
    if want("resnet50-train"):
        import torchvision

        model = torchvision.models.resnet50(weights=None)
        results.append(case("resnet50-train", "train", 32, bench_train(model, 32, 224, args.warmup, args.reps)))
    json.dump(
        {
            "framework": "pytorch",
            "version": torch.__version__,
            "threads": torch.get_num_threads(),
            "peak_matmul_gflops": peak_gflops,
            "python": platform.python_version(),
            "warmup": args.warmup,
            "reps": args.reps,
            # oneDNN's instruction-set cap, read from the environment when oneDNN first runs (the bench sets it
            # for its AVX2 comparison on AVX-512 machines); null: oneDNN picks the best the CPU has.
            "max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA") or None,
            "results": results,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
