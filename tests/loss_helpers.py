"""Loss test helpers: random batches with ignored pixels, perfect predictions, every catalog entry."""

from __future__ import annotations

import torch

from segmentation_trainer.losses import available_losses

ALL = [(spec.name, spec.mode) for mode in ("binary", "multiclass") for spec in available_losses(mode)]


def classes_of(mode: str, multiclass: int = 4) -> int:
    return 2 if mode == "binary" else multiclass


def make_batch(
    mode: str,
    classes: int = 4,
    shape=(2, 16, 16),
    ignore_share: float = 0.15,
    seed: int = 0,
    dtype=torch.float64,
    all_present: bool = True,
):
    """Logits ``(N, C, H, W)`` (C = 1 in binary mode) and targets with some ignored pixels."""
    generator = torch.Generator().manual_seed(seed)
    k = classes_of(mode, classes)
    channels = 1 if mode == "binary" else k
    logits = torch.randn(shape[0], channels, *shape[1:], generator=generator, dtype=dtype) * 2
    target = torch.randint(0, k, shape, generator=generator)
    if all_present:
        target.view(-1)[:k] = torch.arange(k)
    ignored = torch.rand(shape, generator=generator) < ignore_share
    ignored.view(-1)[:k] = False
    target[ignored] = 255
    return logits.requires_grad_(), target


def perfect_logits(target: torch.Tensor, mode: str, classes: int, scale: float = 30.0, dtype=torch.float64):
    safe = torch.where(target == 255, 0, target)
    if mode == "binary":
        return ((safe.unsqueeze(1) * 2 - 1) * scale).to(dtype)
    onehot = torch.nn.functional.one_hot(safe, classes).permute(0, 3, 1, 2).to(dtype)
    return (onehot * 2 - 1) * scale
