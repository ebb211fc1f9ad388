"""PyTorch reference definitions of the zoo's non-torchvision networks, written from the papers.

Key names follow torchvision (conv1, bn1, layerX.Y.convZ, downsample.0/1, fc) so one state-dict
layout serves every family; pre-activation units name their 1x1 projection `shortcut.0` (as the
widely used pytorch-cifar code) and the pre-activation nets add `bn_final`, the BN-ReLU the
pre-activation papers put before global pooling.

- OptionA: the parameter-free option-A shortcut, the one every generator uses.
- cifar_resnet: He et al. 2016, section 4.2: 6n+2 layers, widths 16/32/64, option A (zero-padded
  identity on subsampled input) or option B (1x1 conv + BN projection where the shape changes), or
  a plain net with no shortcuts at all.
- cifar_bottleneck_resnet: 9n+2 layers of torchvision Bottleneck units, widths 16/32/64 (x4 out),
  projection shortcuts (He et al. 2016b use this design for ResNet-164).
- cifar_stem_resnet: a torchvision ImageNet ResNet with a 3x3 stride-1 stem and no max-pool, the
  layout of the widely used pytorch-cifar code.
- preact_resnet18, wide_resnet: pre-activation units (He et al. 2016b; Zagoruyko & Komodakis 2016).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import Bottleneck


class OptionA(nn.Module):
    """He et al.'s option A shortcut, parameter-free: x[:, :, ::s, ::s] with the extra channels
    zero-padded evenly on both sides (no state-dict keys)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.cin, self.cout, self.stride = cin, cout, stride

    def forward(self, x):
        x = x[:, :, ::self.stride, ::self.stride]
        extra = self.cout - self.cin
        return F.pad(x, (0, 0, 0, 0, extra // 2, extra - extra // 2))


class CifarBasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride, option, plain):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.plain = plain
        self.shortcut = nn.Identity()
        if not plain and (stride != 1 or inplanes != planes):
            if option == 'A':
                self.shortcut = OptionA(inplanes, planes, stride)
            else:
                self.downsample = nn.Sequential(
                    nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.plain:
            return F.relu(out)
        sc = self.downsample(x) if hasattr(self, 'downsample') else self.shortcut(x)
        return F.relu(out + sc)


class CifarResNet(nn.Module):
    def __init__(self, make_stage, stem=16, head=64, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, stem, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.layer1, self.layer2, self.layer3 = make_stage()
        self.fc = nn.Linear(head, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def cifar_resnet(depth, option='A', plain=False, num_classes=10):
    assert (depth - 2) % 6 == 0
    n = (depth - 2) // 6

    def stages():
        out, inp = [], 16
        for planes, stride in [(16, 1), (32, 2), (64, 2)]:
            blocks = []
            for b in range(n):
                blocks.append(CifarBasicBlock(inp, planes, stride if b == 0 else 1, option, plain))
                inp = planes
            out.append(nn.Sequential(*blocks))
        return out

    return CifarResNet(stages, 16, 64, num_classes)


def cifar_bottleneck_resnet(depth, num_classes=10):
    assert (depth - 2) % 9 == 0
    n = (depth - 2) // 9

    def stages():
        out, inp = [], 16
        for planes, stride in [(16, 1), (32, 2), (64, 2)]:
            blocks = []
            for b in range(n):
                s = stride if b == 0 else 1
                ds = None
                if s != 1 or inp != planes * 4:
                    ds = nn.Sequential(nn.Conv2d(inp, planes * 4, 1, s, bias=False), nn.BatchNorm2d(planes * 4))
                blocks.append(Bottleneck(inp, planes, s, ds))
                inp = planes * 4
            out.append(nn.Sequential(*blocks))
        return out

    return CifarResNet(stages, 16, 256, num_classes)


def cifar_stem_resnet(model, num_classes=10):
    model.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    model.maxpool = nn.Identity()
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model


class PreActBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        if stride != 1 or inplanes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False))

    def forward(self, x):
        out = F.relu(self.bn1(x))
        # A projection sees the activated input; an identity shortcut carries x itself.
        sc = self.shortcut(out) if hasattr(self, 'shortcut') else x
        out = self.conv1(out)
        out = self.conv2(F.relu(self.bn2(out)))
        return out + sc


class PreActNet(nn.Module):
    def __init__(self, stem, widths, strides, blocks, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, stem, 3, 1, 1, bias=False)
        inp = stem
        for i, (w, s) in enumerate(zip(widths, strides)):
            layer = []
            for b in range(blocks):
                layer.append(PreActBlock(inp, w, s if b == 0 else 1))
                inp = w
            setattr(self, f'layer{i + 1}', nn.Sequential(*layer))
        self.nlayers = len(widths)
        self.bn_final = nn.BatchNorm2d(inp)
        self.fc = nn.Linear(inp, num_classes)

    def forward(self, x):
        x = self.conv1(x)
        for i in range(self.nlayers):
            x = getattr(self, f'layer{i + 1}')(x)
        x = F.relu(self.bn_final(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def preact_resnet18(num_classes=10):
    return PreActNet(64, [64, 128, 256, 512], [1, 2, 2, 2], 2, num_classes)


def wide_resnet(depth, k, num_classes=10):
    assert (depth - 4) % 6 == 0
    return PreActNet(16, [16 * k, 32 * k, 64 * k], [1, 2, 2], (depth - 4) // 6, num_classes)
