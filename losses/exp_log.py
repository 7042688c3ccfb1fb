"""Exponential logarithmic loss (Wong, Moradi, Tang & Syeda-Mahmood, "3D segmentation with exponential
logarithmic loss for highly unbalanced object sizes", MICCAI 2018):

``L = w_dice L_Dice + w_ce L_CE`` with
``L_Dice = mean_{present c} (-ln D_c)^γ`` and ``L_CE = mean_i w_{y_i} (-ln p_{i,y_i})^γ``,

the paper's E[·] being the mean over labels and over (valid) pixels. D_c is the soft Dice with
s = 1, ``D_c = (2 TP_c + 1) / (P_c + G_c + 1)`` (binary: the foreground); the label weights
``w_l = (Σ_k G_k / G_l)^0.5`` use the class counts G of the batch's valid pixels (the loss does not
see the data set; pass ``class_weights`` for data-set-level balancing: they weigh pixels in the mean,
``L_CE = Σ_i v_i w_{y_i} c_i / Σ_i v_i`` with v_i = ``class_weights[y_i]``). γ = 0.3, w_dice = 0.8,
w_ce = 0.2 by default, as in the paper. γ < 1 flattens the loss around the optimum and steepens it
for poorly segmented (often small) classes. ``per_image`` applies to the Dice term.
"""

from __future__ import annotations

import torch

from .base import EPS, Prepared, RegionLoss, class_mean, pixel_mean, region_stats, safe_pow
from .dice import dice_per_class


class ExpLogLoss(RegionLoss):
    def __init__(
        self, *args, gamma: float = 0.3, dice_weight: float = 0.8, ce_weight: float = 0.2, smooth: float = 1.0, **kwargs
    ) -> None:
        super().__init__(*args, smooth=smooth, **kwargs)
        if not (dice_weight or ce_weight):
            raise ValueError("The exponential logarithmic loss needs dice_weight or ce_weight above 0.")
        self.gamma, self.dice_weight, self.ce_weight = gamma, dice_weight, ce_weight

    def compute(self, x: Prepared) -> torch.Tensor:
        s = self.stats(x)
        dice = dice_per_class(s.tp, s.predicted, s.actual, self.smooth)
        dice_term = class_mean(safe_pow(-torch.log(dice.clamp_min(EPS)), self.gamma), s.present, x)
        counts = region_stats(x).actual
        label_weights = torch.sqrt(counts.sum() / counts.clamp_min(1.0))[x.target]
        ce_term = pixel_mean(label_weights * safe_pow(-x.true_log_probs(), self.gamma), x)
        return self.dice_weight * dice_term + self.ce_weight * ce_term
