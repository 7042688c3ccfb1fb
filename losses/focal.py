"""Focal losses.

- ``focal`` / ``binary_focal`` (Lin, Goyal, Girshick, He & Dollár, ICCV 2017):
  ``L = -mean_i α_t (1 - p_t)^γ log p_t`` with p_t the probability of the true class. Binary:
  α_t = α on foreground pixels and 1 - α on background (α = 0.25, γ = 2 by default). Multiclass:
  α scales every class alike (as kornia's focal loss); per-class balance comes from
  ``class_weights``. γ = 0 and α = 1 give cross-entropy.
- ``dual_focal`` / ``binary_dual_focal`` (Hossain, Paplinski & Betts, "Dual focal loss to address
  class imbalance in semantic segmentation", Neurocomputing 462, 2021):
  ``L = -mean_i Σ_c [ g_ic log p_ic + β (1 - g_ic) log(ρ - p_ic) + α |g_ic - p_ic|^γ ]``.
  The first two terms reward the true class and penalise the false ones (the "dual" part); the
  α-term cancels the gradient of well-classified pixels (the focal part). With α ≤ β/ρ and α ≤ 1 the
  minimum is the perfect prediction. Options: ``learnable_gamma`` makes the scaling exponent γ a
  parameter in (0, γ_max] (``γ = γ_max · sigmoid(θ)``) returned by ``parameters()`` so the trainer
  optimises it; ``adaptive_weights`` weights each class term by its inverse frequency among the
  batch's valid pixels (normalised to mean 1 over present classes).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .base import EPS, Prepared, SegmentationLoss, pixel_mean, safe_pow

GAMMA_MAX = 5.0


def focal_term(x: Prepared, gamma: float, alpha: float, log_p: torch.Tensor | None = None) -> torch.Tensor:
    """The (α-balanced) focal loss of a prepared batch (``log_p``: the true-class log-probabilities)."""
    log_p = x.true_log_probs() if log_p is None else log_p
    modulation = safe_pow(1.0 - log_p.exp(), gamma) if gamma else 1.0
    if x.binary:
        alpha_t = torch.where(x.target == 1, alpha, 1.0 - alpha)
    else:
        alpha_t = alpha
    return pixel_mean(-alpha_t * modulation * log_p, x)


class FocalLoss(SegmentationLoss):
    def __init__(self, *args, gamma: float = 2.0, alpha: float = 0.25, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gamma, self.alpha = gamma, alpha

    def compute(self, x: Prepared) -> torch.Tensor:
        return focal_term(x, self.gamma, self.alpha)


class DualFocalLoss(SegmentationLoss):
    def __init__(
        self,
        *args,
        alpha: float = 1.0,
        beta: float = 1.0,
        gamma: float = 1.0,
        rho: float = 1.0,
        learnable_gamma: bool = False,
        adaptive_weights: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not 0.0 < gamma <= GAMMA_MAX:
            raise ValueError(f"gamma must be in (0, {GAMMA_MAX}], got {gamma}.")
        self.alpha, self.beta, self.rho = alpha, beta, rho
        self.adaptive_weights = adaptive_weights
        if learnable_gamma:
            ratio = min(gamma / GAMMA_MAX, 1.0 - 1e-4)
            self.gamma_logit = nn.Parameter(torch.tensor(math.log(ratio / (1.0 - ratio))))
        else:
            self.gamma_logit = None
            self.fixed_gamma = gamma

    @property
    def gamma(self) -> torch.Tensor | float:
        if self.gamma_logit is None:
            return self.fixed_gamma
        return GAMMA_MAX * torch.sigmoid(self.gamma_logit)

    def compute(self, x: Prepared) -> torch.Tensor:
        probs, truth = x.probs, x.one_hot()
        terms = (
            truth * x.log_probs
            + self.beta * (1.0 - truth) * torch.log((self.rho - probs).clamp_min(EPS))
            + self.alpha * safe_pow((truth - probs).abs(), self.gamma)
        )
        if self.adaptive_weights:
            counts = truth.sum(dim=(0, 2, 3))
            inverse = torch.where(counts > 0, counts.sum() / counts.clamp_min(1.0), torch.zeros_like(counts))
            present = (counts > 0).sum().clamp_min(1)
            terms = terms * (inverse * present / inverse.sum().clamp_min(EPS)).view(1, -1, 1, 1)
        return pixel_mean(-terms.sum(dim=1), x)
