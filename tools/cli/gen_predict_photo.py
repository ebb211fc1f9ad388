#!/usr/bin/python3
"""The oracle for `residual predict` on a real JPEG with .pth weights: chelsea.jpg (scikit-image's CC0
photograph of a cat, Debian's python3-skimage, saved by PIL at quality 90) and the ResNet-20 state dict
that torch.save wrote (packages/zoo/fixtures/pth/resnet20.pth, tools/nn/gen_pth_fixtures.py), with
torchvision's own preprocessing of that model (its card: resize to 32x32, bilinear with antialias, on
the decoded uint8 image; CIFAR-10 mean/std) and the model in float64. Writes
packages/cli/fixtures/photo/chelsea.json: the top-5 classes and their probabilities.

    /usr/bin/python3 -m tools.cli.gen_predict_photo [--skimage-data DIR]
"""
import argparse
import json
import os

import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.io import read_image

from tools.common.reference_models import cifar_resnet

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages')
OUT = os.path.join(ROOT, 'cli', 'fixtures', 'photo')
MEAN = [0.4914, 0.4822, 0.4465]
STD = [0.247, 0.2435, 0.2616]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--skimage-data')
    args = ap.parse_args()
    path = os.path.join(OUT, 'chelsea.jpg')
    if args.skimage_data:
        from PIL import Image
        Image.open(os.path.join(args.skimage_data, 'chelsea.png')).convert('RGB').save(path, quality=90)
    model = cifar_resnet(20, 'A')
    model.load_state_dict(torch.load(os.path.join(ROOT, 'zoo', 'fixtures', 'pth', 'resnet20.pth')))
    model.double().eval()
    x = F.resize(read_image(path), [32, 32], interpolation=F.InterpolationMode.BILINEAR, antialias=True)
    x = F.normalize(x.double() / 255, MEAN, STD).unsqueeze(0)
    with torch.no_grad():
        p = torch.softmax(model(x)[0], 0)
    top = torch.topk(p, 5)
    with open(os.path.join(OUT, 'chelsea.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'image': 'chelsea.jpg',
                   'top5': [{'index': int(i), 'probability': float(v)} for v, i in zip(top.values, top.indices)]}, f, indent=1)


if __name__ == '__main__':
    main()
