#!/usr/bin/python3
"""Golden fixtures for @residual/transforms, produced by torchvision 0.14 (Debian python3-torchvision).

Run with Debian's interpreter (it has torch): /usr/bin/python3 -m tools.transforms.gen_golden

torchvision 0.14 has no `transforms.v2` (it arrived as stable in 0.15; the 0.14 prototype is not packaged
by Debian), so every op below calls `torchvision.transforms.functional` on uint8 CHW tensors, the code path
v2 later kept for uint8 tensors. `antialias` is passed explicitly (v2's default is True).

Layout written to packages/transforms/fixtures/golden/:
  inputs.json + inputs.bin   the input images, HWC uint8 raw bytes, concatenated
  <op>.json                  cases: {image, params, shape [h, w, c], exact, sha256 | offset}
  <op>.bin.gz                gzip of the concatenated HWC outputs of cases that store full pixels
  policies.json              AutoAugment / RandAugment / TrivialAugmentWide tables and magnitude bins
Exact ops (flips, crops, pads, posterize, solarize, invert, ...) store a sha256 of the output bytes; ops where
torchvision computes in float32 store the full output so the test can count pixels within 1 LSB.
"""
import gzip
import hashlib
import json
import math
import os
import sys

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode as IM
from torchvision.transforms import autoaugment as AA
from skimage import data as skdata

from tools.common.blas import require_openblas
from tools.transforms.test_card import large_input

assert torchvision.__version__.startswith("0.14"), torchvision.__version__
torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "transforms", "fixtures", "golden")
os.makedirs(OUT, exist_ok=True)


def chw(a):
    """numpy HWC/HW uint8 -> torch CHW uint8"""
    if a.ndim == 2:
        a = a[:, :, None]
    return torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1).contiguous()


def hwc_bytes(t):
    return t.permute(1, 2, 0).contiguous().numpy().tobytes()


def small(photo, h, w):
    # Fixed, documented downscale: torchvision bilinear with antialias on the full photo.
    return F.resize(chw(photo), [h, w], interpolation=IM.BILINEAR, antialias=True)


def load_fmnist(index):
    with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "rb") as f:
        buf = f.read()
    off = 16 + index * 784
    return torch.frombuffer(bytearray(buf[off : off + 784]), dtype=torch.uint8).view(1, 28, 28).clone()


IMAGES = [
    ("astronaut", small(skdata.astronaut(), 24, 32)),
    ("chelsea", small(skdata.chelsea(), 24, 32)),
    ("coffee", small(skdata.coffee(), 24, 32)),
    ("fmnist0", load_fmnist(0)),
]
RGB = [i for i, (_, t) in enumerate(IMAGES) if t.shape[0] == 3]
ALL = list(range(len(IMAGES)))


def write_inputs():
    meta, blob = [], b""
    for name, t in IMAGES:
        c, h, w = t.shape
        meta.append({"name": name, "height": h, "width": w, "channels": c, "offset": len(blob)})
        blob += hwc_bytes(t)
    with open(os.path.join(OUT, "inputs.bin"), "wb") as f:
        f.write(blob)
    with open(os.path.join(OUT, "inputs.json"), "w") as f:
        json.dump({"torchvision": torchvision.__version__, "torch": torch.__version__, "images": meta}, f, indent=1)


def emit(op, settings, fn, exact, images=ALL):
    """settings: list of JSON-able params; fn(img, params) -> CHW uint8 tensor or list of them."""
    cases, blob = [], bytearray()
    for params in settings:
        for idx in images:
            out = fn(IMAGES[idx][1], params)
            outs = out if isinstance(out, (list, tuple)) else [out]
            for k, o in enumerate(outs):
                assert o.dtype == torch.uint8, (op, o.dtype)
                b = hwc_bytes(o)
                case = {"image": idx, "params": params, "shape": [o.shape[1], o.shape[2], o.shape[0]]}
                if len(outs) > 1:
                    case["part"] = k
                if exact:
                    case["sha256"] = hashlib.sha256(b).hexdigest()
                else:
                    case["offset"] = len(blob)
                    blob += b
                cases.append(case)
    with open(os.path.join(OUT, f"{op}.json"), "w") as f:
        json.dump({"op": op, "exact": exact, "cases": cases}, f, separators=(",", ":"))
    if not exact:
        with open(os.path.join(OUT, f"{op}.bin.gz"), "wb") as f:
            f.write(gzip.compress(bytes(blob), 9, mtime=0))
    print(op, len(cases), "cases", len(blob), "bytes", file=sys.stderr)


MODES = {"nearest": IM.NEAREST, "bilinear": IM.BILINEAR, "bicubic": IM.BICUBIC}


def gen_geometry():
    emit("hflip", [{}], lambda t, p: F.hflip(t), True)
    emit("vflip", [{}], lambda t, p: F.vflip(t), True)
    crops = [[0, 0, 10, 12], [3, 5, 7, 9], [0, 0, 24, 28], [10, 20, 14, 8], [-3, -2, 9, 9], [20, 25, 10, 10],
             [-4, -4, 36, 36], [5, 0, 1, 1], [0, 0, 1, 32], [12, 14, 12, 14], [1, 1, 20, 20], [-1, 3, 5, 40],
             [2, -5, 30, 6], [0, 27, 28, 5], [23, 0, 5, 28], [6, 6, 6, 6], [0, 4, 24, 24], [4, 0, 20, 28],
             [-8, -8, 8, 8], [11, 13, 2, 3]]
    emit("crop", [{"top": a, "left": b, "height": c, "width": d} for a, b, c, d in crops],
         lambda t, p: F.crop(t, p["top"], p["left"], p["height"], p["width"]), True)
    ccs = [[10, 10], [1, 1], [24, 28], [23, 27], [20, 5], [5, 20], [28, 28], [30, 40], [13, 17], [2, 3],
           [27, 27], [24, 24], [11, 11], [12, 12], [29, 31], [22, 9], [9, 22], [16, 16], [7, 8], [32, 24]]
    emit("centerCrop", [{"size": s} for s in ccs], lambda t, p: F.center_crop(t, p["size"]), True)
    pads = []
    for mode in ["constant", "edge", "reflect", "symmetric"]:
        for padding in [1, 4, [2, 3], [1, 2, 3, 4], [0, 5, 0, 0], [3]]:
            fill = 0 if mode != "constant" else (128 if isinstance(padding, list) else 0)
            pads.append({"padding": padding, "fill": fill, "paddingMode": mode})
    pads.append({"padding": [7, 0, 2, 1], "fill": 255, "paddingMode": "constant"})
    emit("pad", pads, lambda t, p: F.pad(t, p["padding"], p["fill"], p["paddingMode"]), True)
    fives = [[s, s] for s in (1, 5, 8, 10, 13, 16, 20, 23, 24)] + [[10, 20], [20, 10], [24, 28], [3, 27], [7, 2],
                                                                     [15, 25], [11, 9], [22, 22], [6, 19], [17, 5], [12, 14]]
    emit("fiveCrop", [{"size": s} for s in fives], lambda t, p: list(F.five_crop(t, p["size"])), True)
    emit("tenCrop", [{"size": s, "verticalFlip": v} for s in fives for v in (False, True)][:24],
         lambda t, p: list(F.ten_crop(t, p["size"], p["verticalFlip"])), True)


def gen_resize():
    settings = []
    sizes = [[12, 16], [18, 20], [7, 9], [24, 28], [40, 44], [30, 17], [5, 5], [13, 40], [1, 1], [48, 56]]
    for mode, aa in [("bilinear", True), ("bilinear", False), ("bicubic", True), ("bicubic", False), ("nearest", False)]:
        for s in sizes:
            settings.append({"size": s, "interpolation": mode, "antialias": aa})
        for s, mx in [(10, None), (19, None), (45, None), (12, 14)]:
            settings.append({"size": s, "maxSize": mx, "interpolation": mode, "antialias": aa})

    def fn(t, p):
        return F.resize(t, p["size"], MODES[p["interpolation"]], max_size=p.get("maxSize"), antialias=p["antialias"])

    emit("resize", settings, fn, False)
    rc = []
    for k, (box, size) in enumerate([([2, 3, 15, 20], [10, 10]), ([0, 0, 24, 28], [16, 16]), ([5, 5, 8, 8], [20, 20]),
                                      ([1, 7, 20, 12], [9, 13]), ([10, 2, 12, 25], [24, 24]), ([3, 3, 18, 18], [18, 18]),
                                      ([0, 4, 20, 20], [7, 7]), ([6, 1, 10, 26], [12, 30])]):
        for mode, aa in [("bilinear", True), ("bicubic", True), ("nearest", False)]:
            rc.append({"top": box[0], "left": box[1], "height": box[2], "width": box[3], "size": size,
                       "interpolation": mode, "antialias": aa})
    emit("resizedCrop", rc, lambda t, p: F.resized_crop(t, p["top"], p["left"], p["height"], p["width"], p["size"],
                                                       MODES[p["interpolation"]], antialias=p["antialias"]), False)


def gen_affine():
    rot = []
    for a in [0, 90, -90, 180, 30, -17.5, 45, 3, 270, 123.4]:
        rot.append({"angle": a, "interpolation": "nearest"})
        rot.append({"angle": a, "interpolation": "bilinear"})
    rot += [{"angle": 33, "interpolation": "nearest", "expand": True}, {"angle": 60, "interpolation": "bilinear", "expand": True},
            {"angle": 20, "interpolation": "nearest", "fill": [128, 64, 32]}, {"angle": -40, "interpolation": "bilinear", "fill": [10, 200, 90]},
            {"angle": 25, "interpolation": "nearest", "center": [4, 6]}, {"angle": 25, "interpolation": "bilinear", "center": [20, 3], "fill": [255, 255, 255]},
            {"angle": 10, "interpolation": "nearest", "fill": [0, 0, 0]}]

    def rfn(t, p):
        fill = p.get("fill")
        if fill is not None and t.shape[0] == 1:
            fill = fill[:1]
        return F.rotate(t, p["angle"], MODES[p["interpolation"]], expand=p.get("expand", False), center=p.get("center"), fill=fill)

    emit("rotate", rot, rfn, False)
    aff = []
    for k, (a, tr, sc, sh) in enumerate([(0, [0, 0], 1.0, [0, 0]), (15, [2, -3], 1.0, [0, 0]), (0, [5, 0], 1.0, [0, 0]),
                                          (0, [0, -7], 1.0, [0, 0]), (0, [0, 0], 1.3, [0, 0]), (0, [0, 0], 0.7, [0, 0]),
                                          (0, [0, 0], 1.0, [10, 0]), (0, [0, 0], 1.0, [0, -12]), (-30, [1, 1], 0.9, [5, 5]),
                                          (45, [-4, 2], 1.1, [-8, 3]), (90, [0, 0], 1.0, [0, 0]), (7, [3, 3], 1.5, [20, 0])]):
        aff.append({"angle": a, "translate": tr, "scale": sc, "shear": sh, "interpolation": "nearest"})
        aff.append({"angle": a, "translate": tr, "scale": sc, "shear": sh, "interpolation": "bilinear"})
    aff += [{"angle": 12, "translate": [2, 1], "scale": 1.0, "shear": [16.7, 0], "interpolation": "nearest", "center": [0, 0], "fill": [128, 128, 128]},
            {"angle": 0, "translate": [0, 0], "scale": 1.0, "shear": [0, -16.7], "interpolation": "bilinear", "center": [0, 0], "fill": [128, 128, 128]}]

    def afn(t, p):
        fill = p.get("fill")
        if fill is not None and t.shape[0] == 1:
            fill = fill[:1]
        return F.affine(t, p["angle"], p["translate"], p["scale"], p["shear"], MODES[p["interpolation"]], fill=fill, center=p.get("center"))

    emit("affine", aff, afn, False)


def gen_color():
    factors = [0.0, 0.1, 0.25, 0.5, 0.7, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.3, 1.5, 1.7, 1.9, 2.0, 2.5, 3.0, 0.33, 1.33]
    emit("adjustBrightness", [{"factor": f} for f in factors], lambda t, p: F.adjust_brightness(t, p["factor"]), False)
    emit("adjustContrast", [{"factor": f} for f in factors], lambda t, p: F.adjust_contrast(t, p["factor"]), False)
    emit("adjustSaturation", [{"factor": f} for f in factors], lambda t, p: F.adjust_saturation(t, p["factor"]), False)
    emit("adjustSharpness", [{"factor": f} for f in factors], lambda t, p: F.adjust_sharpness(t, p["factor"]), False)
    hues = [-0.5, -0.45, -0.4, -0.3, -0.25, -0.2, -0.1, -0.05, -0.01, 0.0, 0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5]
    emit("adjustHue", [{"factor": f} for f in hues], lambda t, p: F.adjust_hue(t, p["factor"]), False)
    emit("posterize", [{"bits": b} for b in range(0, 9)], lambda t, p: F.posterize(t, p["bits"]), True)
    emit("solarize", [{"threshold": float(th)} for th in [0, 1, 10, 25.5, 51, 64, 76.5, 100, 102, 127.5, 128, 153, 178.5, 200,
                                                          204, 229.5, 254, 255, 254.5, 0.5]],
         lambda t, p: F.solarize(t, p["threshold"]), True)
    emit("invert", [{}], lambda t, p: F.invert(t), True)
    emit("equalize", [{}], lambda t, p: F.equalize(t), True)
    emit("autocontrast", [{}], lambda t, p: F.autocontrast(t), False)
    emit("rgbToGrayscale", [{"numOutputChannels": 1}, {"numOutputChannels": 3}],
         lambda t, p: F.rgb_to_grayscale(t, p["numOutputChannels"]).contiguous(), False)
    # extra equalize / autocontrast inputs: low-contrast and constant images, where the degenerate branches run
    extra = [("lowcontrast", (IMAGES[0][1].to(torch.int32) // 4 + 60).to(torch.uint8)),
             ("constant", torch.full((3, 5, 7), 77, dtype=torch.uint8)),
             ("twolevel", torch.tensor([[[0, 0, 9, 9], [0, 9, 9, 9]]], dtype=torch.uint8))]
    cases = []
    for name, t in extra:
        for op, fn in [("equalize", F.equalize), ("autocontrast", F.autocontrast)]:
            cases.append({"name": name, "op": op, "shape": [t.shape[1], t.shape[2], t.shape[0]],
                          "input": list(hwc_bytes(t)), "output": list(hwc_bytes(fn(t)))})
    with open(os.path.join(OUT, "degenerate.json"), "w") as f:
        json.dump(cases, f, separators=(",", ":"))


EIGVAL = torch.tensor([0.2175, 0.0188, 0.0045])
EIGVEC = torch.tensor([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]])


def lighting_ref(t, alpha):
    """AlexNet PCA lighting as in fb.resnet.torch / pytorch examples: on [0,1] floats add eigvec @ (alpha * eigval)."""
    a = torch.tensor(alpha, dtype=torch.float32)
    rgb = (EIGVEC * a.view(1, 3) * EIGVAL.view(1, 3)).sum(1)
    x = t.to(torch.float32) / 255.0
    y = x + rgb.view(3, 1, 1)
    return torch.round(y.clamp(0, 1) * 255.0).to(torch.uint8)


def gen_lighting():
    g = torch.Generator().manual_seed(0)
    alphas = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0], [0.1, -0.1, 0.05], [2, 2, 2], [-2, 1, -1]]
    while len(alphas) < 20:
        alphas.append([round(float(v), 6) for v in torch.randn(3, generator=g) * 0.5])
    emit("pcaLighting", [{"alpha": a} for a in alphas], lambda t, p: lighting_ref(t, p["alpha"]), False, images=RGB)


def gen_normalize():
    cases = []
    for idx in ALL:
        t = IMAGES[idx][1]
        c = t.shape[0]
        mean = [0.485, 0.456, 0.406][:c] if c == 3 else [0.2860]
        std = [0.229, 0.224, 0.225][:c] if c == 3 else [0.3530]
        y = F.normalize(F.convert_image_dtype(t, torch.float32), mean, std)
        cases.append({"image": idx, "mean": mean, "std": std,
                      "output": [float(v) for v in y.permute(1, 2, 0).reshape(-1).tolist()]})
    with open(os.path.join(OUT, "normalize.json"), "w") as f:
        json.dump(cases, f, separators=(",", ":"))


def gen_autoaugment():
    tables = {}
    for pol in AA.AutoAugmentPolicy:
        aa = AA.AutoAugment(pol)
        tables[pol.value] = [[[op, p, m] for (op, p, m) in sp] for sp in aa.policies]

    def space(obj, *args):
        sp = obj._augmentation_space(*args)
        return {k: {"magnitudes": [float(x) for x in v[0].reshape(-1).tolist()], "signed": v[1],
                    "scalar": v[0].ndim == 0} for k, v in sp.items()}

    aa = AA.AutoAugment()
    ra = AA.RandAugment()
    ta = AA.TrivialAugmentWide()
    spaces = {
        "autoaugment_10_24x32": space(aa, 10, (24, 32)),
        "autoaugment_10_224x224": space(aa, 10, (224, 224)),
        "autoaugment_10_32x32": space(aa, 10, (32, 32)),
        "randaugment_31_24x32": space(ra, 31, (24, 32)),
        "randaugment_31_224x224": space(ra, 31, (224, 224)),
        "trivialaugmentwide_31": space(ta, 31),
    }
    with open(os.path.join(OUT, "policies.json"), "w") as f:
        json.dump({"policies": tables, "spaces": spaces, "randaugmentOps": list(ra._augmentation_space(31, (24, 32)).keys()),
                   "trivialaugmentwideOps": list(ta._augmentation_space(31).keys())}, f, indent=1)

    # every AutoAugment operation at each of its 10 magnitude bins and both signs, on 24x32 images
    sp = aa._augmentation_space(10, (24, 32))
    settings = []
    for op, (mags, signed) in sp.items():
        if mags.ndim == 0:
            settings.append({"op": op, "magnitude": 0.0})
            continue
        for b in range(10):
            for sign in ([1.0, -1.0] if signed else [1.0]):
                settings.append({"op": op, "bin": b, "magnitude": float(mags[b].item()) * sign})
    for op in ["Rotate", "ShearX", "TranslateY"]:
        settings.append({"op": op, "bin": 9, "magnitude": float(sp[op][0][9].item()), "fill": [128.0, 64.0, 255.0]})
        settings.append({"op": op, "bin": 5, "magnitude": float(sp[op][0][5].item()), "interpolation": "bilinear"})

    def fn(t, p):
        fill = p.get("fill")
        if fill is not None:
            fill = fill[: t.shape[0]]
        return AA._apply_op(t, p["op"], p["magnitude"], MODES[p.get("interpolation", "nearest")], fill)

    emit("autoaugmentOps", settings, fn, False)


def v2_random_shortest_size(h, w, min_size, max_size):
    """torchvision.transforms.v2.RandomShortestSize._get_params (0.15+) for a drawn min_size; v2 is not in 0.14,
    so its arithmetic is transcribed here: r = s / min(h, w), bounded by max_size / max(h, w), int() of h*r, w*r."""
    r = min_size / min(h, w)
    if max_size is not None:
        r = min(r, max_size / max(h, w))
    return int(h * r), int(w * r)


def gen_shortest():
    cases = []
    for h, w in [(375, 500), (500, 375), (333, 500), (480, 640), (256, 256), (1200, 799), (481, 257), (100, 3000), (24, 32), (28, 28)]:
        for s in [256, 257, 300, 384, 479, 480, 224, 10]:
            for mx in [None, 600, 1000]:
                if mx is not None and mx <= s:
                    continue
                nh, nw = v2_random_shortest_size(h, w, s, mx)
                cases.append({"height": h, "width": w, "minSize": s, "maxSize": mx, "out": [nh, nw]})
    with open(os.path.join(OUT, "shortestSize.json"), "w") as f:
        json.dump(cases, f, separators=(",", ":"))
    # F.resize(img, s) (RandomResize's call) output sizes, from torchvision itself
    rs = []
    for h, w in [(375, 500), (500, 375), (333, 500), (1200, 799), (481, 257), (24, 32)]:
        for s in [256, 300, 480, 481, 12]:
            t = torch.zeros(1, h, w, dtype=torch.uint8)
            o = F.resize(t, s, IM.NEAREST)
            rs.append({"height": h, "width": w, "size": s, "out": [o.shape[1], o.shape[2]]})
    with open(os.path.join(OUT, "resizeSizes.json"), "w") as f:
        json.dump(rs, f, separators=(",", ":"))


def gen_large():
    """Resize at the seeds' real scales (ImageNet-sized input), compared by digest: bilinear+antialias and nearest
    must be bit-exact; bicubic outputs are stored gzip'd for the 1-LSB comparison."""
    img = large_input(375, 500)
    cases = []
    blob = bytearray()
    for size in [[256, 341], [480, 640], [224, 298], [300, 400], [333, 444], [112, 149], [376, 501], [640, 853]]:
        for mode, aa in [("bilinear", True), ("nearest", False), ("bicubic", True)]:
            o = F.resize(img, size, MODES[mode], antialias=aa)
            b = hwc_bytes(o)
            case = {"size": size, "interpolation": mode, "antialias": aa, "shape": [o.shape[1], o.shape[2], 3],
                    "sha256": hashlib.sha256(b).hexdigest()}
            if mode == "bicubic" and size[0] <= 112:
                case["offset"] = len(blob)
                blob += b
            cases.append(case)
    with open(os.path.join(OUT, "large.json"), "w") as f:
        json.dump({"input": [375, 500], "cases": cases}, f, separators=(",", ":"))
    with open(os.path.join(OUT, "large.bin.gz"), "wb") as f:
        f.write(gzip.compress(bytes(blob), 9, mtime=0))


if __name__ == "__main__":
    require_openblas()  # the affine/rotate grids depend on the BLAS (tools/common/blas.py)
    gen_large()
    gen_shortest()
    write_inputs()
    gen_geometry()
    gen_resize()
    gen_affine()
    gen_color()
    gen_lighting()
    gen_normalize()
    gen_autoaugment()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("total fixture bytes", total, file=sys.stderr)
