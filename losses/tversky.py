"""Tversky-family losses.

- ``tversky`` / ``binary_tversky`` (Salehi, Erdogmus & Gholipour, "Tversky loss function for image
  segmentation using 3D fully convolutional deep networks", MLMI 2017):
  ``T_c = (TP_c + s) / (TP_c + α FP_c + β FN_c + s)``, ``L = mean_{present c} (1 - T_c)``.
  α weighs false positives, β false negatives; α = 0.3, β = 0.7 favour recall (rare objects).
  α = β = 0.5 gives Dice. A warning is issued when α + β ≠ 1. The dock keeps α, β ≥ 0.01: with α = 0
  predicting a class everywhere costs nothing (T = 1), with β = 0 predicting it nowhere.
- ``focal_tversky`` / ``binary_focal_tversky`` (Abraham & Khan, "A novel focal Tversky loss function
  with improved attention U-Net for lesion segmentation", ISBI 2019):
  ``L = mean_{present c} (1 - T_c)^(1/γ)``. Convention: the exponent is **1/γ**, as in the paper,
  with γ = 4/3 (exponent 0.75) by default; γ = 1 gives the Tversky loss. (The "Focal + Tversky
  combination" of the SemanticSeg4EO loss list, a weighted sum of the two losses, is
  ``focal_plus_tversky`` in ``combined``.)

TP, FP, FN and the aggregation over classes and images follow ``base``.
"""

from __future__ import annotations

import warnings

import torch

from .base import Prepared, RegionLoss, RegionStats, class_mean, region_classes, region_stats, safe_pow


def tversky_index(s: RegionStats, alpha: float, beta: float, smooth: float) -> torch.Tensor:
    return (s.tp + smooth) / (s.tp + alpha * s.fp + beta * s.fn + smooth)


def tversky_term(
    x: Prepared, alpha: float, beta: float, smooth: float, per_image: bool = False, gamma: float = 1.0
) -> torch.Tensor:
    """``mean_{present c} (1 - T_c)^(1/γ)`` of a prepared batch (binary: the foreground)."""
    s = region_classes(region_stats(x, per_image), x)
    loss = 1.0 - tversky_index(s, alpha, beta, smooth)
    if gamma != 1.0:
        loss = safe_pow(loss, 1.0 / gamma)
    return class_mean(loss, s.present, x)


def warn_unless_normalised(alpha: float, beta: float) -> None:
    if abs(alpha + beta - 1.0) > 1e-6:
        warnings.warn(
            f"Tversky alpha + beta = {alpha + beta:g}, not 1: the loss is no longer a normalised overlap "
            "(alpha weighs false positives, beta false negatives).",
            stacklevel=4,
        )


class TverskyLoss(RegionLoss):
    def __init__(self, *args, alpha: float = 0.3, beta: float = 0.7, gamma: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        warn_unless_normalised(alpha, beta)
        self.alpha, self.beta, self.gamma = alpha, beta, gamma

    def compute(self, x: Prepared) -> torch.Tensor:
        return tversky_term(x, self.alpha, self.beta, self.smooth, self.per_image, self.gamma)
