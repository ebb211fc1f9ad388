#!/usr/bin/python3
"""The oracle for `residual predict --weights TAG`'s image preprocessing: torchvision's own
`weights.transforms()` (ImageClassification: resize the shorter side, centre crop, normalize) applied to
the image as torchvision's reference evaluation reads it: a PIL image, so the resize is PIL's antialiased
one ('pil'). And the same steps on the tensor from torchvision.io.read_image with the antialiased tensor
resize ('tensor': torchvision 0.14's weights.transforms() would not antialias a tensor, PIL always does). Writes packages/cli/fixtures/preprocess/: photo.png (a
deterministic 257x300 RGB image, odd sizes on purpose) and, per weight set, every 23rd value (6 significant digits) of the
CHW float32 result.

    /usr/bin/python3 -m tools.cli.gen_preprocess_fixtures
"""
import json
import os

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision.io import read_image
from torchvision.models import ResNet18_Weights, ResNet50_Weights
import torchvision.transforms.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'cli', 'fixtures', 'preprocess')
STEP = 23


def photo(h=257, w=300):
    y, x = np.mgrid[0:h, 0:w]
    rng = np.random.default_rng(20161)
    base = np.stack([(x * 255 // w), (y * 255 // h), ((x + y) * 3) % 256], axis=-1).astype(np.float64)
    # Edges and texture, so resampling differences would show.
    base[(x // 16 + y // 16) % 2 == 0] *= 0.6
    noise = rng.integers(-20, 21, size=base.shape)
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def main():
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, 'photo.png')
    Image.fromarray(photo()).save(path)
    pil = Image.open(path).convert('RGB')
    tensor = read_image(path)
    out = {'torch': torch.__version__, 'torchvision': torchvision.__version__, 'image': 'photo.png', 'step': STEP, 'cases': {}}
    for name, weights in [('resnet50.IMAGENET1K_V2', ResNet50_Weights.IMAGENET1K_V2), ('resnet18.IMAGENET1K_V1', ResNet18_Weights.IMAGENET1K_V1)]:
        t = weights.transforms()
        x = t(pil)  # [3, 224, 224] float32
        y = F.resize(tensor, t.resize_size, interpolation=t.interpolation, antialias=True)
        y = F.normalize(F.convert_image_dtype(F.center_crop(y, t.crop_size), torch.float), mean=t.mean, std=t.std)
        for kind, v in (('pil', x), ('tensor', y)):
            out['cases'][f'{name}.{kind}'] = {'shape': list(v.shape), 'values': [float(f'{e:.6g}') for e in v.reshape(-1)[::STEP].numpy()]}
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(out, f)


if __name__ == '__main__':
    main()
