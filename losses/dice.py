"""Soft Dice loss (Milletari, Navab, Ahmadi, "V-Net", 3DV 2016).

For each class c, over the valid pixels i of the whole batch (per-batch aggregation):

    D_c = (2 Σ_i p_ic g_ic + s) / (Σ_i p_ic + Σ_i g_ic + s),     L = mean_{c ∈ P} (1 - D_c)

with p the softmax (multiclass) or sigmoid (binary, foreground only) probabilities in fp32, g the
one-hot target and s = ``smooth``. P is the set of classes present in the batch's valid target:
a class absent from the batch contributes nothing (its false positives are left to the
cross-entropy term of combined losses), and a batch with no present class gives 0.
Per-batch aggregation is the default because remote-sensing tiles often miss most classes: per
image, those classes would be skipped in nearly every tile.
"""

from __future__ import annotations

import torch
from torch import nn

from ._inputs import DEFAULT_IGNORE_INDEX, check_inputs, class_probabilities, one_hot, valid_mask


def dice_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    binary: bool,
    ignore_index: int = DEFAULT_IGNORE_INDEX,
    smooth: float = 1e-5,
) -> torch.Tensor:
    valid = valid_mask(target, ignore_index)
    probs = class_probabilities(logits, binary) * valid.unsqueeze(1)
    truth = one_hot(target, valid, probs.shape[1])
    if binary:  # the foreground channel only
        probs, truth = probs[:, 1:], truth[:, 1:]
    dims = (0, 2, 3)
    intersection = (probs * truth).sum(dims)
    cardinality = probs.sum(dims) + truth.sum(dims)
    dice = (2.0 * intersection + smooth) / (cardinality + smooth)
    present = truth.sum(dims) > 0
    return ((1.0 - dice) * present).sum() / present.sum().clamp_min(1)


class DiceLoss(nn.Module):
    def __init__(self, binary: bool, ignore_index: int = DEFAULT_IGNORE_INDEX, smooth: float = 1e-5) -> None:
        super().__init__()
        self.binary = binary
        self.ignore_index = ignore_index
        self.smooth = smooth

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        check_inputs(logits, target, self.binary)
        return dice_loss(logits, target, self.binary, self.ignore_index, self.smooth)
