"""Segmentation networks: U-Net and DeepLabV3+ (segmentation-models-pytorch), Attention U-Net.

Pretrained encoder weights are loaded from a file (``pretrained.py`` finds or downloads it), with
the first convolution adapted to the band count.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "30")  # a stalled download fails instead of hanging (read at import)

import segmentation_models_pytorch as smp
import torch
from safetensors.torch import load_file
from torch import nn

from ..common.errors import UserError
from .attention_unet import AttentionUNet

_SMP = {"unet": smp.Unet, "deeplabv3plus": smp.DeepLabV3Plus}


def build_model(
    architecture: str,
    encoder: str,
    in_channels: int,
    out_channels: int,
    encoder_weights: str | None = None,
    log: Callable[..., None] | None = None,
) -> nn.Module:
    """A network with ``in_channels`` bands and ``out_channels`` outputs; ``encoder_weights``: None
    (random) or a ``.safetensors``/``.pth`` file with the encoder's state dict."""
    if architecture == "attention_unet":
        if encoder_weights:
            raise UserError("The Attention U-Net has no pretrained encoder: set the encoder weights to none.")
        return AttentionUNet(in_channels, out_channels)
    try:
        cls = _SMP[architecture]
    except KeyError:
        valid = ", ".join([*_SMP, "attention_unet"])
        raise UserError(f"Unknown architecture {architecture!r}; use one of {valid}.") from None
    try:
        model = cls(encoder_name=encoder, encoder_weights=None, in_channels=in_channels, classes=out_channels)
    except KeyError:
        raise UserError(
            f"Unknown encoder {encoder!r}; examples: resnet18, resnet34, resnet50, efficientnet-b0."
        ) from None
    if encoder_weights:
        load_encoder_weights(model.encoder, encoder_weights, in_channels)
        if log:
            log(f"Encoder weights loaded from {encoder_weights}.")
    return model


def load_encoder_weights(encoder: nn.Module, path: str, in_channels: int) -> None:
    """Load a state dict file into ``encoder``; a 3-band first convolution is adapted to the band count."""
    file = Path(path)
    if not file.is_file():
        raise UserError(f"The encoder weights file {path} does not exist.")
    if file.suffix == ".safetensors":
        state = load_file(str(file))
    else:
        try:
            state = torch.load(str(file), map_location="cpu", weights_only=True)  # tensors only, no code
        except Exception as exc:
            raise UserError(f"Cannot read the encoder weights {path}: {exc}") from None
        state = state.get("state_dict", state) if isinstance(state, dict) else state
    own = encoder.state_dict()
    adapted = {}
    for key, value in state.items():
        key = key.removeprefix("encoder.")
        if key not in own:
            continue
        if value.dim() == 4 and value.shape[1] == 3 and own[key].shape[1] == in_channels != 3:
            value = _adapt_first_conv(value, in_channels)
        if value.shape == own[key].shape:
            adapted[key] = value
    if not adapted:
        raise UserError(f"No tensor of {path} fits the encoder: is it a state dict of the same encoder?")
    encoder.load_state_dict(adapted, strict=False)


def _adapt_first_conv(weight: torch.Tensor, in_channels: int) -> torch.Tensor:
    """RGB filters for ``in_channels`` bands: summed for one band, else cycled and rescaled."""
    if in_channels == 1:
        return weight.sum(dim=1, keepdim=True)
    channels = [weight[:, i % 3] for i in range(in_channels)]
    return torch.stack(channels, dim=1) * (3.0 / in_channels)


def output_channels(mode: str, num_classes: int) -> int:
    """Binary models have one logit (foreground); multiclass models one per class."""
    return 1 if mode == "binary" else num_classes


def class_probabilities(logits: torch.Tensor, mode: str) -> torch.Tensor:
    """Class probabilities ``(N, K, H, W)`` from a network's logits: a binary model's one logit gives background
    and foreground (K = 2), a multiclass model's logits their softmax."""
    if mode == "binary":
        p = torch.sigmoid(logits[:, 0])
        return torch.stack([1.0 - p, p], dim=1)
    return torch.softmax(logits, dim=1)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
