"""The integer-only test card of the large golden fixtures, reproduced exactly by the TS tests
(packages/transforms/test/golden-large.test.ts `largeInput`)."""
import torch


def large_input(h, w):
    """A 375x500-class test card from integer arithmetic only: rings with hard wrap-around edges
    (aliasing-sensitive) plus a small periodic texture."""
    y = torch.arange(h, dtype=torch.int64).view(h, 1)
    x = torch.arange(w, dtype=torch.int64).view(1, w)
    chans = [((x * x + 3 * y * y + 1000 * c) // 64 + (x * 31 + y * 17 + 7 * c) % 11) % 256 for c in range(3)]
    return torch.stack(chans).to(torch.uint8)
