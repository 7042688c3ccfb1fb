"""Unified Focal loss (Yeung, Sala, Schönlieb & Rundo, "Unified focal loss: generalising Dice and cross
entropy-based losses to handle class imbalanced medical image segmentation", Computerized Medical
Imaging and Graphics 95, 2022): one framework generalising Dice- and cross-entropy-based losses.

``L = λ L_mFT + (1 - λ) L_mF`` with, δ weighing the rare classes against the background (class 0):

- modified focal: ``L_mF = mean_i δ_{y_i} m_i (-log p_{i,y_i})`` with δ_0 = 1 - δ, δ_c = δ (c > 0);
  symmetric: ``m_i = (1 - p_{i,y_i})^γ``; asymmetric: the modulation applies to background pixels
  only (m_i = 1 on rare classes, whose loss is never suppressed).
- modified focal Tversky: ``mTI_c = (TP_c + s) / (TP_c + δ FN_c + (1 - δ) FP_c + s)``,
  ``L_mFT = mean_{present c} (1 - mTI_c)^{1 - γ}``; asymmetric: the background term is
  ``1 - mTI_0`` (no focal enhancement).

``unified_focal`` is the asymmetric form (the paper's recommendation), ``symmetric_unified_focal``
the symmetric one; λ = 0.5, δ = 0.6, γ = 0.5 by default. Binary mode uses background and
foreground; multiclass treats class 0 as background and every other class as rare. The dock keeps
δ inside (0, 1) (at δ = 0 or 1 one side — the rare classes or the background — has weight 0 in the
focal term and one error type costs the Tversky term nothing) and γ ≤ 0.9 (at γ = 1 the rare
classes' term (1 - mTI)^0 is a step: 1 for any imperfect prediction, with zero gradient).
"""

from __future__ import annotations

import torch

from .base import Prepared, RegionLoss, class_mean, pixel_mean, safe_pow


class UnifiedFocalLoss(RegionLoss):
    def __init__(
        self, *args, weight: float = 0.5, delta: float = 0.6, gamma: float = 0.5, symmetric: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.weight, self.delta, self.gamma, self.symmetric = weight, delta, gamma, symmetric

    def compute(self, x: Prepared) -> torch.Tensor:
        return self.weight * self._focal_tversky(x) + (1.0 - self.weight) * self._focal(x)

    def _focal(self, x: Prepared) -> torch.Tensor:
        log_p = x.true_log_probs()
        background = x.target == 0
        delta = torch.where(background, 1.0 - self.delta, self.delta)
        modulation = safe_pow(1.0 - log_p.exp(), self.gamma)
        if not self.symmetric:
            modulation = torch.where(background, modulation, torch.ones_like(modulation))
        return pixel_mean(-delta * modulation * log_p, x)

    def _focal_tversky(self, x: Prepared) -> torch.Tensor:
        s = self.stats(x, all_classes=True)
        index = (s.tp + self.smooth) / (s.tp + self.delta * s.fn + (1.0 - self.delta) * s.fp + self.smooth)
        loss = 1.0 - index
        enhanced = safe_pow(loss, 1.0 - self.gamma)
        if not self.symmetric:
            enhanced = torch.cat([loss[..., :1], enhanced[..., 1:]], dim=-1)
        return class_mean(enhanced, s.present, x)
