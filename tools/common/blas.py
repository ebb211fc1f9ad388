"""Which BLAS torch runs on, for generators whose float32 results depend on it.

torch's bmm (e.g. the affine grid of F.rotate / F.affine) goes through the system BLAS. With OpenBLAS
(Debian's libopenblas0) sgemm fuses each product into the sum; with the reference libblas3 it rounds
both products before adding. At half-way ties (quarter-turn rotations of odd-sized images) that decides
whole rows, so fixtures of those ops are made with OpenBLAS, which the TypeScript emulates.
"""
import torch


def require_openblas():
    """Fail unless the process's BLAS is OpenBLAS (apt-get install libopenblas0-pthread)."""
    torch.ones(64, 3).mm(torch.ones(3, 2))  # loads the BLAS
    with open('/proc/self/maps') as f:
        maps = f.read()
    if 'openblas' not in maps:
        raise SystemExit('these fixtures need torch on OpenBLAS: apt-get install libopenblas0-pthread '
                         '(update-alternatives then points libblas.so.3 at it)')
