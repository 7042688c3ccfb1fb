"""Jaccard (soft IoU) loss (Rahman & Wang, "Optimizing intersection-over-union in deep neural networks
for image segmentation", ISVC 2016; ``lovasz`` for its Lovász extension):
``J_c = (TP_c + s) / (P_c + G_c - TP_c + s)``, ``L = mean_{present c} (1 - J_c)``."""

from __future__ import annotations

import torch

from .base import Prepared, RegionLoss, class_mean


class JaccardLoss(RegionLoss):
    def compute(self, x: Prepared) -> torch.Tensor:
        s = self.stats(x)
        jaccard = (s.tp + self.smooth) / (s.predicted + s.actual - s.tp + self.smooth)
        return class_mean(1.0 - jaccard, s.present, x)
