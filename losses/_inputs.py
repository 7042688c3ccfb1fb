"""Shared input handling: shape checks, fp32 probabilities, valid-pixel masks and one-hot targets."""

from __future__ import annotations

import torch
import torch.nn.functional as F

DEFAULT_IGNORE_INDEX = 255


def check_inputs(logits: torch.Tensor, target: torch.Tensor, binary: bool) -> None:
    if (
        logits.dim() != 4
        or target.dim() != 3
        or logits.shape[0] != target.shape[0]
        or logits.shape[2:] != target.shape[1:]
    ):
        raise ValueError(
            f"Expected logits (N, C, H, W) and target (N, H, W), got {tuple(logits.shape)} and {tuple(target.shape)}."
        )
    if binary and logits.shape[1] != 1:
        raise ValueError(f"Binary losses take logits with one channel, got {logits.shape[1]}.")


def valid_mask(target: torch.Tensor, ignore_index: int) -> torch.Tensor:
    """``(N, H, W)`` bool: pixels that take part in the loss."""
    return target != ignore_index


def class_probabilities(logits: torch.Tensor, binary: bool) -> torch.Tensor:
    """Probabilities ``(N, K, H, W)`` in fp32: softmax over C classes, or [1 - p, p] in binary mode."""
    logits = logits.float()
    if binary:
        p = torch.sigmoid(logits)
        return torch.cat([1.0 - p, p], dim=1)
    return F.softmax(logits, dim=1)


def one_hot(target: torch.Tensor, valid: torch.Tensor, num_classes: int) -> torch.Tensor:
    """``(N, K, H, W)`` fp32 one-hot of ``target``, zero at ignored pixels."""
    safe = torch.where(valid, target, torch.zeros_like(target)).long()
    encoded = F.one_hot(safe, num_classes).permute(0, 3, 1, 2).float()
    return encoded * valid.unsqueeze(1)


def masked_mean(values: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Mean of ``values`` over valid pixels; 0 (still attached to the graph) when none is valid."""
    return (values * valid).sum() / valid.sum().clamp_min(1)
