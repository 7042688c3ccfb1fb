"""Cross-entropy losses.

- ``ce`` (multiclass): ``L = -Σ_i w_{y_i} log softmax(z_i)_{y_i} / Σ_i w_{y_i}`` over valid pixels i.
- ``bce`` (binary): ``L = -mean_i [y_i log σ(z_i) + (1 - y_i) log(1 - σ(z_i))]`` over valid pixels.

Reference: the standard maximum-likelihood losses (Bishop, *Pattern Recognition and Machine
Learning*, 2006, §4.3). Computed in fp32 from logits (log-sum-exp), so stable under autocast.
Ignored pixels take no part; a batch with no valid pixel gives 0.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ._inputs import DEFAULT_IGNORE_INDEX, check_inputs, masked_mean, valid_mask


def cross_entropy(
    logits: torch.Tensor,
    target: torch.Tensor,
    ignore_index: int = DEFAULT_IGNORE_INDEX,
    class_weights: torch.Tensor | None = None,
) -> torch.Tensor:
    valid = valid_mask(target, ignore_index)
    safe = torch.where(valid, target, torch.zeros_like(target)).long()
    per_pixel = F.cross_entropy(logits.float(), safe, reduction="none")
    if class_weights is None:
        return masked_mean(per_pixel, valid)
    w = class_weights.to(per_pixel)[safe] * valid
    return (per_pixel * w).sum() / w.sum().clamp_min(torch.finfo(w.dtype).tiny)


def binary_cross_entropy(
    logits: torch.Tensor, target: torch.Tensor, ignore_index: int = DEFAULT_IGNORE_INDEX
) -> torch.Tensor:
    valid = valid_mask(target, ignore_index)
    y = (target == 1).float()
    per_pixel = F.binary_cross_entropy_with_logits(logits.float()[:, 0], y, reduction="none")
    return masked_mean(per_pixel, valid)


class CrossEntropyLoss(nn.Module):
    def __init__(self, ignore_index: int = DEFAULT_IGNORE_INDEX, class_weights: torch.Tensor | None = None) -> None:
        super().__init__()
        self.ignore_index = ignore_index
        self.register_buffer("class_weights", class_weights)

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        check_inputs(logits, target, binary=False)
        return cross_entropy(logits, target, self.ignore_index, self.class_weights)


class BCELoss(nn.Module):
    def __init__(self, ignore_index: int = DEFAULT_IGNORE_INDEX) -> None:
        super().__init__()
        self.ignore_index = ignore_index

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        check_inputs(logits, target, binary=True)
        return binary_cross_entropy(logits, target, self.ignore_index)
