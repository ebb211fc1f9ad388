#!/usr/bin/python3
"""Safetensors fixtures for @residual/nn, written from PyTorch 1.13 tensors.

Debian has no `safetensors` Python package, so the format is written here from its specification:
8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} (+ __metadata__),
padded with spaces to a multiple of 8, then the raw little-endian tensor bytes.

Writes packages/nn/fixtures/{block.safetensors, dtypes.safetensors, dtypes.json}.
Run: /usr/bin/python3 -m tools.nn.gen_safetensors
"""
import json
import os
import struct
import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock, conv1x1

from tools.nn.gen_fixtures import make, spec_for

FIX = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'nn', 'fixtures')
DTYPES = {
    torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64',
    torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8',
    torch.bool: 'BOOL',
}


def write(path, tensors, metadata=None):
    header = {}
    if metadata is not None:
        header['__metadata__'] = metadata
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        # numpy has no bfloat16: reinterpret its bits as int16 to get the raw bytes.
        arr = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy()
        raw = arr.astype(arr.dtype.newbyteorder('<'), copy=False).tobytes()
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    js = json.dumps(header, separators=(',', ':')).encode('utf-8')
    js += b' ' * (-len(js) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)
    print(f'wrote {path}: {os.path.getsize(path)} bytes')


def main():
    torch.set_default_dtype(torch.float64)
    block = BasicBlock(4, 8, stride=2, downsample=nn.Sequential(conv1x1(4, 8, 2), nn.BatchNorm2d(8)))
    sd = block.state_dict()
    specs = {k: spec_for(k, tuple(t.shape), i) for i, (k, t) in enumerate(sd.items())}
    block.load_state_dict({k: make(s) for k, s in specs.items()})
    block = block.float()
    write(os.path.join(FIX, 'block.safetensors'), block.state_dict(), {'format': 'pt'})

    i = torch.arange(6, dtype=torch.float64)
    tensors = {
        'f16': (torch.sin(i * 0.37 + 1) * 3).reshape(2, 3).to(torch.float16),
        'bf16': (torch.sin(i * 0.37 + 2) * 5).to(torch.bfloat16),
        'f64': torch.sin(i[:4] * 0.37 + 3) * 1e3,
        'f32_scalar': torch.tensor(2.5, dtype=torch.float32),
        'i64': torch.tensor([-3, 0, 2**31 - 1], dtype=torch.int64),
        'i32': torch.tensor([[1, -2], [3, -4]], dtype=torch.int32),
        'i16': torch.tensor([-300, 300], dtype=torch.int16),
        'i8': torch.tensor([-100, 7], dtype=torch.int8),
        'u8': torch.tensor([0, 1, 128, 255, 7], dtype=torch.uint8),
        'bool': torch.tensor([True, False, True]),
        'empty': torch.zeros(0, 3, dtype=torch.float32),
    }
    write(os.path.join(FIX, 'dtypes.safetensors'), tensors, {'writer': 'tools/nn/gen_safetensors.py'})
    expected = {k: {'shape': list(t.shape), 'values': t.double().reshape(-1).tolist()} for k, t in tensors.items()}
    with open(os.path.join(FIX, 'dtypes.json'), 'w') as f:
        json.dump(expected, f)


if __name__ == '__main__':
    main()
