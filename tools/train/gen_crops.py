#!/usr/bin/python3
"""torchvision 0.14 TenCrop and Resize (shorter side) on a small tensor, for evaluate()'s crop helpers.

Run:  /usr/bin/python3 -m tools.train.gen_crops   -> packages/train/fixtures/crops.json
Input: x[0, c, h, w] = c*63 + h*9 + w, shape 1x2x7x9; odd margins exercise the centre-crop rounding.
"""
import json
import os

import torch
import torchvision.transforms as T

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'train', 'fixtures', 'crops.json')


def main():
    x = torch.arange(2 * 7 * 9, dtype=torch.float32).reshape(1, 2, 7, 9)
    crops = T.TenCrop(4)(x)
    out = {'torchvision': __import__('torchvision').__version__, 'crop': 4, 'tencrop_shape': list(crops[0].shape),
           'tencrop': [c.flatten().tolist() for c in crops]}
    for side in (5, 12):
        r = T.Resize(side)(x)
        out[f'resize{side}_shape'] = list(r.shape)
        out[f'resize{side}'] = r.flatten().tolist()
    with open(OUT, 'w') as f:
        json.dump(out, f)
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
