#!/usr/bin/python3
"""The oracle for @residual/train's evaluateImages / imageScores: He et al.'s test protocols on whole
images, in PyTorch 1.13 / torchvision 0.14, float64.

Images: three CC0 / public-domain photographs from scikit-image's data (Debian's python3-skimage),
reduced once to small sizes of different aspect ratios and committed as PNG (lossless, so both sides
decode the same pixels): chelsea (cat, 2:3 landscape), a portrait crop of coffee (2:1), astronaut
(square). Pass --skimage-data DIR (the package's skimage/data folder) to remake them.

Model: the CIFAR ResNet-20 reference (tools/common/reference_models.py) with tools/common/formula.py's
weights, eval mode, float64: global average pooling makes it fully convolutional, so small scales stand
in for the paper's ImageNet ones and CI stays fast.

Each protocol: for each scale s, the uint8 image resized so its shorter side is s (F.resize, bilinear,
antialias=True: the training resize), then either the whole image (and its mirror with flip) or
F.ten_crop(crop); each view normalised with CIFAR's mean/std; class probabilities averaged over the
views ('softmax'), or the logits averaged and one softmax taken ('logits').

    /usr/bin/python3 -m tools.train.gen_multiscale [--skimage-data /usr/lib/python3/dist-packages/skimage/data]
"""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn.functional as NF
import torchvision
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.io import read_image

from tools.common.formula import load_formula
from tools.common.reference_models import cifar_resnet

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'train', 'fixtures', 'multiscale')
MEAN = [0.4914, 0.4822, 0.4465]
STD = [0.247, 0.2435, 0.2616]
PROTOCOLS = {
    'full-softmax': {'scales': [32, 40, 48, 64], 'average': 'softmax'},
    'full-flip-logits': {'scales': [32, 48], 'flip': True, 'average': 'logits'},
    'tencrop-softmax': {'scales': [40], 'tenCrop': True, 'cropSize': 32, 'average': 'softmax'},
    'multiscale-tencrop-logits': {'scales': [36, 48], 'tenCrop': True, 'cropSize': 32, 'average': 'logits'},
}


def make_images(src):
    chelsea = Image.open(os.path.join(src, 'chelsea.png')).convert('RGB')  # 300 x 451
    chelsea.resize((150, 100), Image.LANCZOS).save(os.path.join(OUT, 'chelsea.png'))
    coffee = Image.open(os.path.join(src, 'coffee.png')).convert('RGB')  # 400 x 600
    coffee.crop((200, 0, 400, 400)).resize((60, 120), Image.LANCZOS).save(os.path.join(OUT, 'coffee-portrait.png'))
    astronaut = Image.open(os.path.join(src, 'astronaut.png')).convert('RGB')  # 512 x 512
    astronaut.resize((80, 80), Image.LANCZOS).save(os.path.join(OUT, 'astronaut.png'))


def views(img, p):
    out = []
    for s in p['scales']:
        r = F.resize(img, s, interpolation=F.InterpolationMode.BILINEAR, antialias=True)
        if p.get('tenCrop'):
            out += list(F.ten_crop(r, p['cropSize']))
        else:
            out += [r, F.hflip(r)] if p.get('flip') else [r]
    return out


def scores(model, img, p):
    outs = []
    for v in views(img, p):
        x = F.normalize(v.double() / 255, MEAN, STD).unsqueeze(0)
        outs.append(model(x)[0])
    stacked = torch.stack(outs)
    if p['average'] == 'logits':
        return NF.softmax(stacked.mean(0), 0)
    return NF.softmax(stacked, 1).mean(0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--skimage-data')
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    if args.skimage_data:
        make_images(args.skimage_data)
    model = load_formula(cifar_resnet(20, 'A')).double().eval()
    names = ['chelsea.png', 'coffee-portrait.png', 'astronaut.png']
    result = {'torch': torch.__version__, 'torchvision': torchvision.__version__, 'mean': MEAN, 'std': STD,
              'protocols': PROTOCOLS, 'images': {}}
    with torch.no_grad():
        for n in names:
            img = read_image(os.path.join(OUT, n))
            result['images'][n] = {'shape': list(img.shape),
                                   'scores': {k: [float(v) for v in scores(model, img, p)] for k, p in PROTOCOLS.items()}}
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(result, f, indent=1)


if __name__ == '__main__':
    main()
