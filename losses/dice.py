"""Dice-family losses.

- ``dice`` / ``binary_dice``: soft Dice (Milletari, Navab & Ahmadi, "V-Net", 3DV 2016):
  ``D_c = (2 TP_c + s) / (P_c + G_c + s)``, ``L = mean_{present c} (1 - D_c)``.
- ``log_cosh_dice`` / ``binary_log_cosh_dice``: ``L = log(cosh(L_Dice))``, a smoothed Dice loss
  (Jadon, "A survey of loss functions for semantic segmentation", CIBCB 2020).
- ``generalized_dice`` / ``binary_generalized_dice`` (Sudre, Li, Vercauteren, Ourselin & Cardoso,
  DLMIA 2017): ``L = 1 - (2 Σ_c w_c TP_c + s) / (Σ_c w_c (P_c + G_c) + s)`` with
  ``w_c = 1 / G_c²`` over the present classes. It weighs every class, background included, in both
  modes.

TP, P, G and the aggregation over classes and images follow ``base``.
"""

from __future__ import annotations

import torch

from .base import Prepared, RegionLoss, class_mean, region_classes, region_stats


def dice_per_class(tp: torch.Tensor, predicted: torch.Tensor, actual: torch.Tensor, smooth: float) -> torch.Tensor:
    return (2.0 * tp + smooth) / (predicted + actual + smooth)


def dice_term(x: Prepared, smooth: float, per_image: bool = False) -> torch.Tensor:
    """The soft Dice loss of a prepared batch (present classes, binary: the foreground)."""
    s = region_classes(region_stats(x, per_image), x)
    return class_mean(1.0 - dice_per_class(s.tp, s.predicted, s.actual, smooth), s.present, x)


class DiceLoss(RegionLoss):
    def compute(self, x: Prepared) -> torch.Tensor:
        return dice_term(x, self.smooth, self.per_image)


class LogCoshDiceLoss(DiceLoss):
    def compute(self, x: Prepared) -> torch.Tensor:
        return torch.log(torch.cosh(super().compute(x)))


class GeneralizedDiceLoss(RegionLoss):
    def compute(self, x: Prepared) -> torch.Tensor:
        s = self.stats(x, all_classes=True)
        weights = torch.where(s.present, 1.0 / s.actual.clamp_min(1.0) ** 2, torch.zeros_like(s.actual))
        numerator = 2.0 * (weights * s.tp).sum(-1) + self.smooth
        denominator = (weights * (s.predicted + s.actual)).sum(-1) + self.smooth
        per_unit = 1.0 - numerator / denominator
        any_present = s.present.any(-1)
        return (per_unit * any_present).sum() / any_present.sum().clamp_min(1)
