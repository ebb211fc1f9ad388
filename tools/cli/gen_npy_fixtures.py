#!/usr/bin/python3
"""Writes small .npy files with numpy itself, the oracle for packages/cli/src/npy.ts.

Every array's values follow a formula the jest test recomputes: value[i] = f(i) for the flat
C-order index i (see `formula` below), so the test never compares our reader with our writer.
Run: /usr/bin/python3 -m tools.cli.gen_npy_fixtures
"""
import os
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'cli', 'fixtures', 'npy')
os.makedirs(OUT, exist_ok=True)


def formula(n, dtype):
    i = np.arange(n)
    if dtype.kind == 'f':
        return (np.sin(i * 0.37) * 3.5).astype(dtype)
    if dtype.kind == 'b':
        return (i % 3 == 0)
    if dtype.kind == 'u':
        return ((i * 37) % 251).astype(dtype)
    # signed: spans negative values
    return ((i * 37) % 251 - 125).astype(dtype)


def save(name, arr, version=None):
    path = os.path.join(OUT, name)
    with open(path, 'wb') as f:
        np.lib.format.write_array(f, arr, version=version)


shape = (2, 3, 4)
n = 24
for code in ['<f4', '>f4', '<f8', '>f8', '|i1', '|u1', '<i4', '>i4', '<i8', '>i8', '<u4', '>u4', '|b1']:
    dt = np.dtype(code)
    arr = formula(n, dt).astype(dt).reshape(shape)
    tag = {'<': 'le', '>': 'be', '|': 'na'}[code[0]]
    save(f'{code[1:]}_{tag}.npy', arr)

f4 = formula(n, np.dtype('<f4')).reshape(shape)
save('f4_v2.npy', f4, version=(2, 0))
save('f4_v3.npy', f4, version=(3, 0))
save('f4_fortran.npy', np.asfortranarray(f4))
save('f4_scalar.npy', np.array(np.float32(2.5)))
save('f4_1d.npy', formula(5, np.dtype('<f4')))
save('f4_empty.npy', np.zeros((0, 3), dtype='<f4'))
save('c8_unsupported.npy', np.zeros((2,), dtype=np.complex64))
print('wrote', sorted(os.listdir(OUT)))
