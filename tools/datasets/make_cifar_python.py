#!/usr/bin/python3
"""Write small CIFAR-10/100 "python version" archives (pickles, protocol 2, numpy uint8 arrays) in the
published layout, for @residual/datasets' pickle-reader tests. Run with Debian's /usr/bin/python3.

Pixels follow the formula shared with the TypeScript tests (test/helpers.ts `pixel`):
value(n, r, c, ch) = (n*31 + r*7 + c*3 + ch*101) % 256, stored planar (R plane, G plane, B plane).
CIFAR-10 dicts use bytes keys (as the original Python-2 pickles read with encoding='bytes');
CIFAR-100 dicts use str keys, so both key kinds are covered.
"""
import io
import os
import pickle
import sys
import tarfile

import numpy as np

PER_BATCH = 6


def images(start, count):
    n = np.arange(start, start + count)[:, None, None, None]
    ch = np.arange(3)[None, :, None, None]
    r = np.arange(32)[None, None, :, None]
    c = np.arange(32)[None, None, None, :]
    return ((n * 31 + r * 7 + c * 3 + ch * 101) % 256).astype(np.uint8).reshape(count, 3072)


def add(tar, name, obj):
    data = pickle.dumps(obj, protocol=2)
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))


def cifar10(path):
    with tarfile.open(path, 'w:gz') as tar:
        names = [f'data_batch_{i}' for i in range(1, 6)] + ['test_batch']
        for k, name in enumerate(names):
            start = k * PER_BATCH
            d = {
                b'batch_label': f'batch {k}'.encode(),
                b'labels': [(start + i) % 10 for i in range(PER_BATCH)],
                b'data': images(start, PER_BATCH),
                b'filenames': [f'img_{start + i}.png'.encode() for i in range(PER_BATCH)],
            }
            add(tar, f'cifar-10-batches-py/{name}', d)
        meta = {b'num_cases_per_batch': PER_BATCH, b'label_names': [s.encode() for s in
                ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']],
                b'num_vis': 3072}
        add(tar, 'cifar-10-batches-py/batches.meta', meta)


def cifar100(path):
    with tarfile.open(path, 'w:gz') as tar:
        for k, name in enumerate(['train', 'test']):
            count = 8 if name == 'train' else 4
            start = k * 100
            d = {
                'filenames': [f'f{i}.png' for i in range(count)],
                'batch_label': name,
                'fine_labels': [(start + i * 13) % 100 for i in range(count)],
                'coarse_labels': [(start + i * 13) % 20 for i in range(count)],
                'data': images(start, count),
            }
            add(tar, f'cifar-100-python/{name}', d)
        add(tar, 'cifar-100-python/meta', {
            'fine_label_names': [f'fine{i}' for i in range(100)],
            'coarse_label_names': [f'coarse{i}' for i in range(20)],
        })


def cifar10_fortran(path):
    # A batch whose data array is Fortran-ordered (column-major), as np.asfortranarray or a
    # transpose-then-save pipeline produces: pickle stores the bytes column by column and sets the
    # ndarray's fortran flag, which a reader must honour.
    d = {b'labels': [(30 + i) % 10 for i in range(PER_BATCH)], b'data': np.asfortranarray(images(30, PER_BATCH))}
    assert d[b'data'].flags.f_contiguous and not d[b'data'].flags.c_contiguous
    with open(path, 'wb') as f:
        f.write(pickle.dumps(d, protocol=2))


if __name__ == '__main__':
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'datasets', 'fixtures')
    cifar10(os.path.join(out, 'cifar-10-python-small.tar.gz'))
    cifar100(os.path.join(out, 'cifar-100-python-small.tar.gz'))
    cifar10_fortran(os.path.join(out, 'cifar-10-fortran-test_batch.pkl'))
    print('numpy', np.__version__)
