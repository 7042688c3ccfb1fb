"""Sensitivity-specificity loss (Brosch, Yoo, Tang, Li, Traboulsee & Tam, "Deep convolutional encoder
networks for multiple sclerosis lesion segmentation", MICCAI 2015):

``L_c = r Σ_i (g_ic - p_ic)² g_ic / Σ_i g_ic + (1 - r) Σ_i (g_ic - p_ic)² (1 - g_ic) / Σ_i (1 - g_ic)``

the mean squared error on the class's pixels (sensitivity) and on the other pixels (specificity),
weighted by r (0.05 in the paper); averaged over present classes (binary: the foreground), class
weighted. The paper's formula has no smoothing term, and neither has this loss (it takes no
``smooth``): an empty denominator (a class filling the whole batch) leaves its term at 0. r is kept
inside (0, 1): with r = 0 a prediction of nothing, with r = 1 a prediction of everything, would
score as well as the perfect one.

Computed from one softmax pass (``fused``), no dense one-hot target: over the valid pixels, with
``G_c = Σ_{y_i = c} 1`` (the pass's label counts) and n the number of valid pixels,

- sensitivity numerator ``Σ_{y_i = c} (1 - p_ic)²``: the pass's true-class sums of the term ``(1 - p)²``,
  computed as such (not as ``G_c - 2 TP_c + Σ_{y_i = c} p_ic²``, which cancels in float32 near the perfect
  prediction, where the loss must be exactly its minimum);
- specificity numerator ``Σ_{y_i ≠ c} p_ic² = Σ_i p_ic² - Σ_{y_i = c} p_ic²``: the pass's per-class sum of p²
  less its true-class sums of ``p²`` (``base.region_stats`` with power 2), over ``n - G_c``.

Both true-class sums come out of the pass itself (the compiled kernel's forward pass, or one scatter-add per term
on the PyTorch path), with their closed-form gradients.
"""

from __future__ import annotations

import torch

from .base import EPS, Prepared, SegmentationLoss, class_mean, region_classes, region_stats
from .fused import TrueTerm, softmax_pass

SQUARED, MISSED = TrueTerm(2), TrueTerm(2, complement=True)  # p² and (1 - p)² of the true class


class SensitivitySpecificityLoss(SegmentationLoss):
    def __init__(self, *args, r: float = 0.05, per_image: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.r, self.per_image = r, per_image

    def compute(self, x: Prepared) -> torch.Tensor:
        result = softmax_pass(x.logits, x.target, x.valid_mask, x.binary, powers=(2,), true_terms=(SQUARED, MISSED))
        squared = region_stats(x, self.per_image, result, power=2)  # predicted = Σ p_c², tp = Σ_{y=c} p_c²
        missed = result.true_sum(MISSED)  # Σ_{y=c} (1 - p_c)², per image
        missed = missed if self.per_image else missed.sum(0)
        missed = missed[..., 1:] if x.binary else missed
        squared = region_classes(squared, x)
        sensitivity = missed / squared.actual.clamp_min(EPS)
        specificity = (squared.predicted - squared.tp) / (squared.total - squared.actual).clamp_min(EPS)
        loss = self.r * sensitivity + (1.0 - self.r) * specificity
        return class_mean(loss, squared.present, x)
