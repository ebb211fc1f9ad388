#!/usr/bin/python3
"""torch.nn.functional.cross_entropy (PyTorch 1.13) with and without label smoothing, for @residual/train.

Run:  /usr/bin/python3 -m tools.train.gen_loss   -> packages/train/fixtures/loss.json
Logits [4, 5]: l[i] = 3 sin(0.7 i + 0.3), float32; labels [0, 3, 4, 1].
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'train', 'fixtures', 'loss.json')


def main():
    logits = torch.tensor([3 * math.sin(0.7 * i + 0.3) for i in range(20)], dtype=torch.float32).reshape(4, 5).requires_grad_()
    labels = torch.tensor([0, 3, 4, 1])
    out = {'labels': labels.tolist(), 'cases': []}
    for eps in (0.0, 0.1, 0.3):
        loss = F.cross_entropy(logits, labels, label_smoothing=eps)
        (grad,) = torch.autograd.grad(loss, logits)
        out['cases'].append({'labelSmoothing': eps, 'loss': float(loss), 'grad': grad.flatten().tolist()})
    with open(OUT, 'w') as f:
        json.dump(out, f)
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
