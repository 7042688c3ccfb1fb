"""Segmentation networks from segmentation-models-pytorch, built from a run's settings."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never wait on the model hub: weights are local only

import segmentation_models_pytorch as smp
from torch import nn

from .errors import UserError

_ARCHITECTURES = {"unet": smp.Unet, "deeplabv3plus": smp.DeepLabV3Plus}


def build_model(architecture: str, encoder: str, in_channels: int, out_channels: int) -> nn.Module:
    """An untrained network (no pretrained weights) with ``in_channels`` bands and ``out_channels`` outputs."""
    try:
        cls = _ARCHITECTURES[architecture]
    except KeyError:
        raise UserError(f"Unknown architecture {architecture!r}; use one of {', '.join(_ARCHITECTURES)}.") from None
    try:
        return cls(encoder_name=encoder, encoder_weights=None, in_channels=in_channels, classes=out_channels)
    except KeyError:
        raise UserError(
            f"Unknown encoder {encoder!r}; examples: resnet18, resnet34, resnet50, efficientnet-b0."
        ) from None


def output_channels(mode: str, num_classes: int) -> int:
    """Binary models have one logit (foreground); multiclass models one per class."""
    return 1 if mode == "binary" else num_classes
