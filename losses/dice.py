"""Dice-family losses.

- ``dice`` / ``binary_dice``: soft Dice,
  ``D_c = (2 TP_c + s) / (P_c + G_c + s)`` with ``TP_c = Σ_i p_ic g_ic``, ``P_c = Σ_i p_ic``,
  ``G_c = Σ_i g_ic``, ``L = mean_{present c} (1 - D_c)`` (s = 1e-5). Convention: the **linear**
  denominator Σ p + Σ g (as segmentation-models-pytorch and MONAI by default), not the squared one
  Σ p² + Σ g² of Milletari, Navab & Ahmadi ("V-Net: fully convolutional neural networks for
  volumetric medical image segmentation", 3DV 2016, Eq. 1). Both forms equal the Dice coefficient at
  0/1 predictions and reach 1 only at p = g; they differ for soft predictions (Σ p² < Σ p for
  0 < p < 1). Binary mode scores the foreground.
- ``log_cosh_dice`` / ``binary_log_cosh_dice``: ``L = log(cosh(L_Dice))``, a smoothed Dice loss
  (Jadon, "A survey of loss functions for semantic segmentation", CIBCB 2020).
- ``generalized_dice`` / ``binary_generalized_dice`` (Sudre, Li, Vercauteren, Ourselin & Cardoso,
  "Generalised Dice overlap as a deep learning loss function for highly unbalanced segmentations",
  DLMIA 2017, Eq. 2 with the linear denominator):
  ``L = 1 - (2 Σ_c w_c TP_c + s) / (Σ_c w_c (P_c + G_c) + s)`` with ``w_c = v_c / G_c²`` for the
  present classes (v_c: ``class_weights``, 1 without) and **w_c = 0 for absent classes** (G_c = 0,
  where 1/G_c² is undefined); MONAI's ``GeneralizedDiceLoss`` instead gives an absent class the
  largest weight of the present ones, so that false positives on it count. It weighs every class,
  background included, in both modes. With ``per_image`` the ratio is per image, then averaged
  over the images with a present class.

TP, P, G and the aggregation over classes and images follow ``base``.
"""

from __future__ import annotations

import torch

from .base import Prepared, RegionLoss, class_mean, region_classes, region_stats
from .fused import PassResult


def dice_per_class(tp: torch.Tensor, predicted: torch.Tensor, actual: torch.Tensor, smooth: float) -> torch.Tensor:
    return (2.0 * tp + smooth) / (predicted + actual + smooth)


def dice_term(x: Prepared, smooth: float, per_image: bool = False, result: PassResult | None = None) -> torch.Tensor:
    """The soft Dice loss of a prepared batch (present classes, binary: the foreground), from its softmax
    pass (``x.one_pass`` unless ``result`` is given)."""
    s = region_classes(region_stats(x, per_image, result), x)
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
        if x.class_weights is not None:
            weights = weights * x.class_weights
        numerator = 2.0 * (weights * s.tp).sum(-1) + self.smooth
        denominator = (weights * (s.predicted + s.actual)).sum(-1) + self.smooth
        per_unit = 1.0 - numerator / denominator
        any_present = s.present.any(-1)
        return (per_unit * any_present).sum() / any_present.sum().clamp_min(1)
