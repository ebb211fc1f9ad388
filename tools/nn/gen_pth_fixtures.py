"""Writes packages/nn/fixtures/pth/: .pth files exactly as torch.save writes them (PyTorch 1.13, Debian's
python3-torch), with the values a reader must recover, for @residual/nn's decodePth tests.

- views.pth: a state dict whose tensors exercise the format: contiguous float32, a transposed
  (non-contiguous) view, a slice with a storage offset sharing its storage with another entry, float64,
  float16, bfloat16, int64 (num_batches_tracked), uint8, bool, an nn.Parameter, a 0-d tensor.
- (in packages/zoo/fixtures/pth) resnet20.pth: the reference CIFAR ResNet-20 (option A, tools/common/reference_models.py) with seeded
  random weights and trained-like BatchNorm statistics, and resnet20.json: its eval-mode logits on a fixed
  input, the oracle for loading a .pth into the zoo's resnet20.
- evil.pth: a zip whose data.pkl calls posix.system (the reader must refuse it, naming the global).

Run with /usr/bin/python3 (Debian's torch); the outputs are committed.
"""
import io
import json
import os
import pickle
import zipfile

import torch

from tools.common.reference_models import cifar_resnet

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages')
OUT = os.path.join(ROOT, 'nn', 'fixtures', 'pth')
ZOO_OUT = os.path.join(ROOT, 'zoo', 'fixtures', 'pth')
os.makedirs(OUT, exist_ok=True)
os.makedirs(ZOO_OUT, exist_ok=True)


def flat(t):
    return [float(v) if t.dtype.is_floating_point else (bool(v) if t.dtype == torch.bool else int(v)) for v in t.reshape(-1).tolist()]


def views():
    g = torch.Generator().manual_seed(0)
    base = torch.randn(6, 5, generator=g)
    sd = {
        'conv.weight': torch.randn(2, 3, 3, 3, generator=g),
        'transposed': torch.randn(3, 4, generator=g).t(),
        'base': base,
        'slice': base[2:5, 1:4],
        'f64': torch.randn(4, generator=g, dtype=torch.float64),
        'f16': torch.randn(5, generator=g).half(),
        'bf16': torch.randn(5, generator=g).bfloat16(),
        'bn.num_batches_tracked': torch.tensor(123456789, dtype=torch.int64),
        'u8': torch.arange(0, 250, 50, dtype=torch.uint8),
        'mask': torch.tensor([True, False, True]),
        'param': torch.nn.Parameter(torch.randn(2, 2, generator=g)),
        'scalar': torch.tensor(2.5),
    }
    assert not sd['transposed'].is_contiguous() and sd['slice'].storage_offset() > 0
    torch.save(sd, os.path.join(OUT, 'views.pth'))
    expected = {k: {'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', ''), 'values': flat(v.detach().float() if v.dtype in (torch.float16, torch.bfloat16) else v.detach())} for k, v in sd.items()}
    with open(os.path.join(OUT, 'views.json'), 'w') as f:
        json.dump(expected, f)


def resnet20():
    torch.manual_seed(20)
    model = cifar_resnet(20, option='A')
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.num_batches_tracked.fill_(391)
    model.eval()
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        logits = model(x)
    torch.save(model.state_dict(), os.path.join(ZOO_OUT, 'resnet20.pth'))
    with open(os.path.join(ZOO_OUT, 'resnet20.json'), 'w') as f:
        json.dump({'input_nchw': flat(x), 'logits': flat(logits), 'keys': list(model.state_dict().keys())}, f)


def wrapped():
    # How the widely used CIFAR training scripts save: {'epoch', 'state_dict', 'best_prec1'}, a `linear` head
    # and DataParallel's 'module.' prefix.
    g = torch.Generator().manual_seed(3)
    sd = {'module.conv1.weight': torch.randn(2, 1, 1, 1, generator=g), 'module.linear.weight': torch.randn(3, 2, generator=g), 'module.linear.bias': torch.randn(3, generator=g)}
    torch.save({'epoch': 182, 'state_dict': sd, 'best_prec1': 91.7}, os.path.join(OUT, 'wrapped.pth'))
    with open(os.path.join(OUT, 'wrapped.json'), 'w') as f:
        json.dump({k: flat(v) for k, v in sd.items()}, f)


def evil():
    class Evil:
        def __reduce__(self):
            return (os.system, ('echo pwned',))

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_STORED) as z:
        # Fixed timestamps: the file is the same bytes on every run.
        z.writestr(zipfile.ZipInfo('archive/data.pkl', date_time=(1980, 1, 1, 0, 0, 0)), pickle.dumps({'weight': Evil()}, protocol=2))
        z.writestr(zipfile.ZipInfo('archive/version', date_time=(1980, 1, 1, 0, 0, 0)), '3\n')
    with open(os.path.join(OUT, 'evil.pth'), 'wb') as f:
        f.write(buf.getvalue())


if __name__ == '__main__':
    views()
    resnet20()
    wrapped()
    evil()
    print('wrote', sorted(os.listdir(OUT)), sorted(os.listdir(ZOO_OUT)))
