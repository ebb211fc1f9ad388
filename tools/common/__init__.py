"""What the fixture generators share, so each oracle is written once:

- formula.py: the closed-form weights and inputs that packages/zoo/src/testing/formula.ts reproduces
  bit for bit (so fixtures hold logits, not weight files);
- reference_models.py: PyTorch definitions of the zoo's non-torchvision networks, among them the one
  option-A CIFAR ResNet (and its OptionA shortcut) that the zoo, nn, train, cli and bench fixtures use;
- macs.py: the one multiply-add counter (forward hooks on Conv2d and Linear).

Generators are run from the repository root as modules, with Debian's PyTorch:

    /usr/bin/python3 -m tools.zoo.gen_fixtures
"""
