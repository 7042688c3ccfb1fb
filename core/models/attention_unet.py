"""Attention U-Net (Oktay, Schlemper, Le Folgoc, Lee, Heinrich, Misawa, Mori, McDonagh, Hammerla,
Kainz, Glocker & Rueckert, "Attention U-Net: learning where to look for the pancreas", MIDL 2018),
the architecture of the loss study (Swastika 2025, "Comparative Analysis of Loss Functions for
Semantic Segmentation: An Empirical Study on Cityscapes Dataset"; docs/references.md).

A U-Net of four down-sampling levels (widths 64, 128, 256, 512, 1024; each ConvBlock two 3x3
convolutions with batch normalization and ReLU) whose skip connections pass through additive
attention gates: ``α = σ(ψ(ReLU(W_g g + W_x x)))``, skip features ``x · α``, with g the coarser
decoder features. With the default width it has 34.9 M parameters for 3 input bands and 19
classes; the study reports "approximately 31.4 M" without giving its exact widths.
"""

from __future__ import annotations

import torch
from torch import nn


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
        nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class AttentionGate(nn.Module):
    def __init__(self, gate_channels: int, skip_channels: int, inner_channels: int) -> None:
        super().__init__()
        self.gate = nn.Sequential(nn.Conv2d(gate_channels, inner_channels, 1), nn.BatchNorm2d(inner_channels))
        self.skip = nn.Sequential(nn.Conv2d(skip_channels, inner_channels, 1), nn.BatchNorm2d(inner_channels))
        self.psi = nn.Sequential(nn.Conv2d(inner_channels, 1, 1), nn.BatchNorm2d(1), nn.Sigmoid())
        self.relu = nn.ReLU(inplace=True)

    def forward(self, gate: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return skip * self.psi(self.relu(self.gate(gate) + self.skip(skip)))


class UpStep(nn.Module):
    """Up-sample the decoder features, gate the skip connection, fuse both."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.up = nn.Sequential(
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )
        self.attention = AttentionGate(out_channels, out_channels, out_channels // 2)
        self.fuse = conv_block(2 * out_channels, out_channels)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = self.up(x)
        return self.fuse(torch.cat([self.attention(x, skip), x], dim=1))


class AttentionUNet(nn.Module):
    def __init__(self, in_channels: int, classes: int, width: int = 64) -> None:
        super().__init__()
        widths = [width * 2**i for i in range(5)]
        self.encoder = nn.ModuleList(
            [conv_block(in_channels, widths[0])] + [conv_block(widths[i], widths[i + 1]) for i in range(4)]
        )
        self.pool = nn.MaxPool2d(2)
        self.decoder = nn.ModuleList([UpStep(widths[i + 1], widths[i]) for i in reversed(range(4))])
        self.head = nn.Conv2d(widths[0], classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, block in enumerate(self.encoder):
            x = block(x if i == 0 else self.pool(x))
            skips.append(x)
        x = skips.pop()
        for step in self.decoder:
            x = step(x, skips.pop())
        return self.head(x)
