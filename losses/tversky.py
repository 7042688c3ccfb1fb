"""Tversky-family losses.

- ``tversky`` / ``binary_tversky`` (Salehi, Erdogmus & Gholipour, MLMI 2017):
  ``T_c = (TP_c + s) / (TP_c + α FP_c + β FN_c + s)``, ``L = mean_{present c} (1 - T_c)``.
  α weighs false positives, β false negatives; α = 0.3, β = 0.7 favour recall (rare objects).
  α = β = 0.5 gives Dice. A warning is issued when α + β ≠ 1.
- ``focal_tversky`` / ``binary_focal_tversky`` (Abraham & Khan, ISBI 2019):
  ``L = mean_{present c} (1 - T_c)^(1/γ)``. Convention: the exponent is **1/γ**, as in the paper,
  with γ = 4/3 (exponent 0.75) by default; γ = 1 gives the Tversky loss.
"""

from __future__ import annotations

import warnings

import torch

from .base import Prepared, RegionLoss, class_mean, safe_pow


def tversky_index(x_stats, alpha: float, beta: float, smooth: float) -> torch.Tensor:
    s = x_stats
    return (s.tp + smooth) / (s.tp + alpha * s.fp + beta * s.fn + smooth)


class TverskyLoss(RegionLoss):
    def __init__(self, *args, alpha: float = 0.3, beta: float = 0.7, gamma: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if abs(alpha + beta - 1.0) > 1e-6:
            warnings.warn(
                f"Tversky alpha + beta = {alpha + beta:g}, not 1: the loss is no longer a normalised overlap "
                "(alpha weighs false positives, beta false negatives).",
                stacklevel=3,
            )
        self.alpha, self.beta, self.gamma = alpha, beta, gamma

    def compute(self, x: Prepared) -> torch.Tensor:
        s = self.stats(x)
        loss = 1.0 - tversky_index(s, self.alpha, self.beta, self.smooth)
        if self.gamma != 1.0:
            loss = safe_pow(loss, 1.0 / self.gamma)
        return class_mean(loss, s.present, x)
