#!/usr/bin/python3
"""Images PIL and libvips decode differently, with PIL's `Image.open(f).convert('RGB')` as the
reference, for @residual/datasets' decodeImage tests. Run with Debian's /usr/bin/python3
(python3-pil, python3-numpy); writes packages/datasets/test/fixtures/pil/.

- cmyk.jpg, cmyk.tif: CMYK images without an ICC profile. PIL converts with its plain formula
  (r = (255 - c)(255 - k)/255); libvips' default converts through a CMYK ICC profile.
- g16.png: a 16-bit grayscale PNG. PIL opens it in mode 'I' and convert('RGB') clips values to 255;
  libvips scales 0..65535 to 0..255.
Each <name>.rgb is the HWC uint8 RGB PIL gives.
"""
import os

import numpy as np
from PIL import Image, __version__ as pil_version

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'datasets', 'test', 'fixtures', 'pil')


def main():
    os.makedirs(OUT, exist_ok=True)
    h, w = 12, 20
    y, x = np.mgrid[0:h, 0:w]
    planes = [(x * 13 + y * 7) % 256, (x * 5 + y * 17 + 60) % 256, (x * 11 + y * 3 + 120) % 256, (x * 3 + y * 9) % 200]
    cmyk = Image.fromarray(np.stack(planes, -1).astype(np.uint8), 'CMYK')
    cmyk.save(os.path.join(OUT, 'cmyk.jpg'), quality=95)
    cmyk.save(os.path.join(OUT, 'cmyk.tif'))
    Image.fromarray(((x * 3000 + y * 1500) % 65536).astype(np.uint16)).save(os.path.join(OUT, 'g16.png'))
    for name in ['cmyk.jpg', 'cmyk.tif', 'g16.png']:
        rgb = np.asarray(Image.open(os.path.join(OUT, name)).convert('RGB'))
        rgb.tofile(os.path.join(OUT, name + '.rgb'))
    print('Pillow', pil_version)


if __name__ == '__main__':
    main()
