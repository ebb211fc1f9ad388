#!/usr/bin/python3
"""Rotations by multiples of 90 degrees (and near them) of odd-sized images, torchvision's tensor
F.rotate, as sha256 digests: the cases where a pixel's source coordinate lies exactly half-way between
two pixels, so torch's float32 arithmetic (its fused multiply-add in grid_sample's unnormalise) decides
whole rows. Needs torch on OpenBLAS (tools/common/blas.py). Writes packages/transforms/fixtures/golden/rotate-large.json.

    /usr/bin/python3 -m tools.transforms.gen_rotate_large
"""
import hashlib
import json
import os

import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode as IM

from tools.common.blas import require_openblas
from tools.transforms.test_card import large_input

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'transforms', 'fixtures', 'golden', 'rotate-large.json')
torch.set_num_threads(1)


def main():
    require_openblas()
    cases = []
    for h, w in [(300, 257), (381, 480), (257, 300), (224, 225)]:
        img = large_input(h, w)
        for angle in [90, -90, 270, 180, 89.5]:
            for mode in ['nearest', 'bilinear']:
                for expand in [False, True]:
                    o = F.rotate(img, angle, IM.NEAREST if mode == 'nearest' else IM.BILINEAR, expand=expand)
                    b = o.permute(1, 2, 0).contiguous().numpy().tobytes()
                    cases.append({'input': [h, w], 'angle': angle, 'interpolation': mode, 'expand': expand,
                                  'shape': [o.shape[1], o.shape[2], 3], 'sha256': hashlib.sha256(b).hexdigest()})
    with open(OUT, 'w') as f:
        json.dump({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'cases': cases}, f, indent=0)


if __name__ == '__main__':
    main()
