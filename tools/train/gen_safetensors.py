#!/usr/bin/python3
"""A small safetensors file written by hand from the format's specification (8-byte little-endian header
length, JSON header with dtype/shape/data_offsets, raw little-endian data), as PyTorch users' tools write
it, to check @residual/train's reader. Run: /usr/bin/python3 -m tools.train.gen_safetensors
"""
import json
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'train', 'fixtures', 'spec.safetensors')


def main():
    tensors = {
        'conv.weight': np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2) * 0.5,
        'bn.num_batches_tracked': np.array(7, dtype=np.int64),
        'fc.bias': np.array([1.5, -2.25], dtype=np.float64),
        'idx': np.array([[1, -2], [3, 4]], dtype=np.int32),
    }
    header, blobs, off = {'__metadata__': {'format': 'pt'}}, [], 0
    for name, a in tensors.items():
        b = a.tobytes()
        dtype = {'float32': 'F32', 'int64': 'I64', 'float64': 'F64', 'int32': 'I32'}[str(a.dtype)]
        header[name] = {'dtype': dtype, 'shape': list(a.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    with open(OUT, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
