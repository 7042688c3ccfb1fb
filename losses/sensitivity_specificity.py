"""Sensitivity-specificity loss (Brosch, Yoo, Tang, Li, Traboulsee & Tam, "Deep convolutional encoder
networks for multiple sclerosis lesion segmentation", MICCAI 2015):

``L_c = r Σ_i (g_ic - p_ic)² g_ic / Σ_i g_ic + (1 - r) Σ_i (g_ic - p_ic)² (1 - g_ic) / Σ_i (1 - g_ic)``

the mean squared error on the class's pixels (sensitivity) and on the other pixels (specificity),
weighted by r (0.05 in the paper); averaged over present classes (binary: the foreground), class
weighted. The paper's formula has no smoothing term, and neither has this loss (it takes no
``smooth``): an empty denominator (a class filling the whole batch) leaves its term at 0. r is kept
inside (0, 1): with r = 0 a prediction of nothing, with r = 1 a prediction of everything, would
score as well as the perfect one. Computed from gathers, without a dense one-hot target.
"""

from __future__ import annotations

import torch

from .base import EPS, Prepared, SegmentationLoss, class_mean, region_classes, region_stats


class SensitivitySpecificityLoss(SegmentationLoss):
    def __init__(self, *args, r: float = 0.05, per_image: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.r, self.per_image = r, per_image

    def compute(self, x: Prepared) -> torch.Tensor:
        probs = x.probs
        missed = region_stats(x, self.per_image, probs=(1.0 - probs) ** 2)  # tp = Σ_{y=c} (1 - p_c)²
        squared = region_stats(x, self.per_image, probs=probs**2)  # predicted = Σ p_c², tp = Σ_{y=c} p_c²
        missed = region_classes(missed, x)
        squared = region_classes(squared, x)
        sensitivity = missed.tp / missed.actual.clamp_min(EPS)
        specificity = (squared.predicted - squared.tp) / (missed.total - missed.actual).clamp_min(EPS)
        loss = self.r * sensitivity + (1.0 - self.r) * specificity
        return class_mean(loss, missed.present, x)
