"""Exponential logarithmic loss (Wong, Moradi, Tang & Syeda-Mahmood, MICCAI 2018):

``L = w_dice mean_{present c} (-ln D_c)^γ + w_ce mean_i w_{y_i} (-ln p_{i,y_i})^γ``

with the soft Dice D_c (s = 1), class weights ``w_l = (Σ_k G_k / G_l)^0.5`` from the batch's class
counts, γ = 0.3, w_dice = 0.8, w_ce = 0.2. γ < 1 flattens the loss around the optimum and steepens
it for poorly segmented (often small) classes. Binary mode scores the foreground in the Dice term.
"""

from __future__ import annotations

import torch

from .base import EPS, Prepared, RegionLoss, class_mean, region_stats, safe_pow
from .dice import dice_per_class


class ExpLogLoss(RegionLoss):
    def __init__(
        self, *args, gamma: float = 0.3, dice_weight: float = 0.8, ce_weight: float = 0.2, smooth: float = 1.0, **kwargs
    ) -> None:
        super().__init__(*args, smooth=smooth, **kwargs)
        self.gamma, self.dice_weight, self.ce_weight = gamma, dice_weight, ce_weight

    def compute(self, x: Prepared) -> torch.Tensor:
        s = self.stats(x)
        dice = dice_per_class(s.tp, s.predicted, s.actual, self.smooth)
        dice_term = class_mean(safe_pow(-torch.log(dice.clamp_min(EPS)), self.gamma), s.present, x)
        counts = region_stats(x).actual
        label_weights = torch.sqrt(counts.sum() / counts.clamp_min(1.0))[x.target]
        ce = safe_pow(-x.true_log_probs(), self.gamma)
        weights = label_weights * x.pixel_weights()
        ce_term = (ce * weights).sum() / weights.sum().clamp_min(EPS)
        return self.dice_weight * dice_term + self.ce_weight * ce_term
