"""Multiply-adds of every Conv2d and Linear layer for one image, counted by forward hooks."""
import torch
import torch.nn as nn


def count_macs(model, shape):
    """{'conv', 'linear', 'total'} multiply-adds per image for an input of `shape` (N, C, H, W), N >= 1.

    A conv counts out_pixels * out_channels * in_channels/groups * kh * kw, a linear in * out.
    """
    macs = {'conv': 0, 'linear': 0}

    def conv_hook(m, inp, out):
        kh, kw = m.kernel_size
        macs['conv'] += out.numel() // out.shape[0] * (m.in_channels // m.groups) * kh * kw

    def linear_hook(m, inp, out):
        macs['linear'] += out.numel() // out.shape[0] * m.in_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    model.eval()
    with torch.no_grad():
        model(torch.zeros(*shape))
    for h in hooks:
        h.remove()
    return {**macs, 'total': macs['conv'] + macs['linear']}
