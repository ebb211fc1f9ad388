"""The closed-form weights and inputs of the oracle fixtures, reproduced bit for bit in float32 by
packages/zoo/src/testing/formula.ts (exported as `@residual/zoo/testing`), so fixtures hold results,
not weight files.

Formula (key = a state-dict key, k = its index in the sorted list of all keys, i = flat index in
PyTorch layout). u(i, k) is a uniform number in [-1, 1) from an integer hash, so both languages compute
it exactly (uint32 arithmetic; in JavaScript Math.imul and >>> 0):
  h = (i * 0x9E3779B1) ^ (k * 0x85EBCA77 + 0x27D4EB2F)            (mod 2^32)
  h ^= h >> 16; h *= 0x7FEB352D; h ^= h >> 15; h *= 0x846CA68B; h ^= h >> 16
  u = h / 2^32 * 2 - 1
Values (computed in float64, then rounded to float32):
  *.num_batches_tracked      0
  *.running_mean             0.1 * u
  *.running_var              1 + 0.5 * |u|
  4-D *.weight (conv)        u * sqrt(6 / fan_in)      fan_in = in/groups * kh * kw (He uniform)
  2-D *.weight (linear)      u * sqrt(3 / in_features)
  1-D *.weight (norm)        1 + 0.1 * u
  *.bias                     0.1 * u
Input x[n, c, h, w] with flat NCHW index j: u(j, 100000).
"""
import math

import numpy as np
import torch


M32 = np.uint64(0xFFFFFFFF)


def uniform(n, k):
    i = np.arange(n, dtype=np.uint64)
    h = ((i * np.uint64(0x9E3779B1)) & M32) ^ ((np.uint64(k) * np.uint64(0x85EBCA77) + np.uint64(0x27D4EB2F)) & M32)
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x7FEB352D)) & M32
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(0x846CA68B)) & M32
    h ^= h >> np.uint64(16)
    return h.astype(np.float64) / 4294967296.0 * 2.0 - 1.0


def formula_tensor(key, shape, k):
    n = int(np.prod(shape)) if len(shape) else 1
    if key.endswith('num_batches_tracked'):
        return None
    u = uniform(n, k)
    if key.endswith('running_mean'):
        v = 0.1 * u
    elif key.endswith('running_var'):
        v = 1.0 + 0.5 * np.abs(u)
    elif key.endswith('bias'):
        v = 0.1 * u
    elif key.endswith('weight') and len(shape) == 4:
        fan_in = shape[1] * shape[2] * shape[3]
        v = u * math.sqrt(6.0 / fan_in)
    elif key.endswith('weight') and len(shape) == 2:
        v = u * math.sqrt(3.0 / shape[1])
    elif key.endswith('weight') and len(shape) == 1:
        v = 1.0 + 0.1 * u
    else:
        raise ValueError(f'no formula for {key} {shape}')
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def load_formula(model):
    sd = model.state_dict()
    keys = sorted(sd.keys())
    new = {}
    for k, key in enumerate(keys):
        v = formula_tensor(key, tuple(sd[key].shape), k)
        new[key] = torch.zeros_like(sd[key]) if v is None else v
    model.load_state_dict(new, strict=True)
    return model


def formula_input(n, c, h, w):
    return torch.from_numpy(uniform(n * c * h * w, 100000).astype(np.float32).reshape(n, c, h, w))
