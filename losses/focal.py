"""Focal losses.

- ``focal`` / ``binary_focal`` (Lin, Goyal, Girshick, He & Dollár, "Focal loss for dense object
  detection", ICCV 2017): ``L = mean_i α_t (1 - p_t)^γ (-log p_t)`` with p_t the probability of the
  true class and the mean over valid pixels (weighted by ``class_weights[y_i]`` when given).
  Binary: α_t = α on foreground pixels and 1 - α on background pixels (Lin et al.'s α-balanced
  form; α = 0.25, γ = 2 by default); α is kept inside (0, 1) so that neither class has weight 0.
  Multiclass: α scales every class alike (as kornia's focal loss): α = 1 is the unscaled focal
  loss, per-class balance comes from ``class_weights``. γ = 0 and α = 1 give cross-entropy.
- ``dual_focal`` / ``binary_dual_focal``: see ``DualFocalLoss``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .base import EPS, Prepared, SegmentationLoss, pixel_mean, safe_pow

GAMMA_MAX = 5.0  # the learnable Dual Focal γ lies in (0, GAMMA_MAX)


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
    r"""Dual Focal loss (Hossain, Paplinski & Betts, "Dual focal loss to address class imbalance in
    semantic segmentation", Neurocomputing 462, 2021), over the K classes of each valid pixel i
    (binary: K = 2, p = [1 - σ(z), σ(z)]), g the one-hot target:

    ``L = mean_i Σ_c [ -g_ic log p_ic - β (1 - g_ic) log(ρ - p_ic) + α |g_ic - p_ic|^γ ]``

    The cross-entropy term rewards the true class, the β-term (after Dual Cross Entropy) penalises
    the false ones, and the α-term adds α |g - p|^γ, largest on hard pixels. **Sign of the α-term.**
    Public implementations disagree: some add α |g - p|^γ to the loss (as here), others subtract it.
    The paper's abstract states what the term is for — to "increase the loss on hard-to-classify
    classes" and to make the focal scaling "effective against a vanishing gradient" — and only the
    added form does both: its gradient in p, -1/p - αγ (1 - p)^(γ-1) on the true class, is never
    smaller than cross-entropy's, whereas the subtracted form lowers the loss of hard pixels, cancels
    the gradient of easy ones (at α = γ = 1 it vanishes at p = 1) and, for γ < 1, is no longer
    smallest at the perfect prediction (binary, α = β = ρ = 1, γ = 0.5: minimum at p_true ≈ 0.83,
    the defect of the former implementation). The paper's equation itself could not be consulted
    when this was written.

    **The perfect prediction is the minimum**, for every α, β ≥ 0, ρ ≥ 1 and γ > 0 (the dock's ranges
    and the learnable γ's included), because every class term is: -log p ≥ 0 with equality only at
    p = 1 (true class); -β log(ρ - p) ≥ -β log ρ with equality at p = 0 (false class, ρ - p ≤ ρ);
    α |g - p|^γ ≥ 0 with equality at p = g. So is any sum of them with non-negative weights (class
    weights, adaptive weights), the true-class cross-entropy making the perfect prediction the only
    minimiser; the minimum is ``-β (K - 1) log ρ`` (0 at ρ = 1).

    Options: ``learnable_gamma`` makes γ = γ_max sigmoid(θ) ∈ (0, γ_max) a parameter returned by
    ``parameters()`` so that the trainer optimises it with the network; ∂L/∂γ = α Σ |g - p|^γ
    ln|g - p| ≤ 0, so the loss alone drives γ up (the α-term shrinks), never out of the range where
    the claim above holds. ``adaptive_weights`` weights each class term by its inverse frequency among
    the batch's valid pixels (normalised to mean 1 over present classes; absent classes 0).
    ``tests/losses/test_dual_focal.py`` checks the minimum, the sign and the drift.
    """

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
        if not (0.0 < gamma <= GAMMA_MAX and alpha >= 0.0 and beta >= 0.0 and rho >= 1.0):
            raise ValueError(
                f"Dual Focal needs gamma in (0, {GAMMA_MAX:g}], alpha >= 0, beta >= 0 and rho >= 1, "
                f"got gamma={gamma}, alpha={alpha}, beta={beta}, rho={rho}."
            )
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
        error = torch.where(truth > 0, -torch.expm1(x.log_probs), probs)  # |g - p|, 1 - p accurate near p = 1
        terms = (
            -truth * x.log_probs
            - self.beta * (1.0 - truth) * torch.log((self.rho - probs).clamp_min(EPS))
            + self.alpha * safe_pow(error, self.gamma)
        )
        if self.adaptive_weights:
            terms = terms * _inverse_frequency(truth).view(1, -1, 1, 1)
        return pixel_mean(terms.sum(dim=1), x)


def _inverse_frequency(truth: torch.Tensor) -> torch.Tensor:
    """``(K,)`` weights ∝ 1 / count of each class among valid pixels, mean 1 over present classes, 0 if absent."""
    counts = truth.sum(dim=(0, 2, 3))
    inverse = torch.where(counts > 0, counts.sum() / counts.clamp_min(1.0), torch.zeros_like(counts))
    present = (counts > 0).sum().clamp_min(1)
    return inverse * present / inverse.sum().clamp_min(EPS)
