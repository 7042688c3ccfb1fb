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

GAMMA_MIN = 1.0  # below 1 the perfect prediction is no longer the minimum (see DualFocalLoss)
GAMMA_MAX = 5.0


def focal_term(x: Prepared, gamma: float, alpha: float) -> torch.Tensor:
    """The (α-balanced) focal loss of a prepared batch, from its softmax pass (``(1 - p_t)^γ log p_t`` and
    its closed-form gradient): the loss's ``focal_gamma``, given to the batch, must be ``gamma``."""
    if x.focal_gamma != gamma:
        raise ValueError(f"The batch's softmax pass has focal gamma {x.focal_gamma}, the focal term needs {gamma}.")
    if x.binary:
        alpha_t = torch.where(x.target == 1, alpha, 1.0 - alpha)
    else:
        alpha_t = alpha
    return pixel_mean(-alpha_t * x.one_pass.focal, x)


class FocalLoss(SegmentationLoss):
    def __init__(self, *args, gamma: float = 2.0, alpha: float = 0.25, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gamma, self.alpha = gamma, alpha
        self.focal_gamma = gamma

    def compute(self, x: Prepared) -> torch.Tensor:
        return focal_term(x, self.gamma, self.alpha)


class DualFocalLoss(SegmentationLoss):
    r"""Dual Focal loss (Hossain, Paplinski & Betts, "Dual focal loss to address class imbalance in
    semantic segmentation", Neurocomputing 462, 2021), over the K classes of each valid pixel i
    (binary: K = 2, p = [1 - σ(z), σ(z)]), g the one-hot target:

    ``L = mean_i -Σ_c [ g_ic log p_ic + β (1 - g_ic) log(ρ - p_ic) + a |g_ic - p_ic|^γ ]``

    with ``a = α · min(1, β/ρ)``, α ∈ [0, 1]. The first two terms reward the true class and penalise
    the false ones (the "dual" part); the third, *subtracted* from the loss (a reward), lowers the
    gradient of well-classified pixels (the focal part: with a = γ = 1 the true class's gradient
    -1/p + a vanishes at p = 1). Public implementations disagree on the sign of that term; the one
    implemented is that of the two public implementations citing the article (PyTorch and Keras),
    and the form whose term focuses training as the paper describes (with the opposite sign the
    term adds a constant gradient a to every pixel at γ = 1 and focuses nothing). α is given
    in units of the largest weight for which the perfect prediction stays the minimum, min(1, β/ρ),
    so that every α of the dock is safe; at the defaults (α = β = ρ = γ = 1) a = α, the paper's value.

    **The perfect prediction is the minimum** whenever γ ≥ 1 (the dock's range, the learnable γ's too)
    and a ≤ min(1, β/ρ) (always, by construction). Proof, class term by class term, with q = 1 - p_iy
    for the true class and p = p_ic for a false one, both in [0, 1], using -log(1 - u) ≥ u and
    u^γ ≤ u for u ∈ [0, 1], γ ≥ 1:
    true class: ``-log(1 - q) - a q^γ ≥ q - a q ≥ 0``, with equality only at q = 0 (-log(1 - q) > q
    for q > 0); false class: ``-β log(ρ - p) - a p^γ = -β log ρ - β log(1 - p/ρ) - a p^γ ≥ -β log ρ
    + (β/ρ - a) p ≥ -β log ρ``. Every class term is smallest at the perfect prediction, so is any sum
    of them with non-negative weights (class weights, adaptive weights), and the true-class term
    makes it the only minimiser; the minimum is ``-β (K - 1) log ρ`` (0 at ρ = 1). For γ < 1 the claim
    fails: q^γ / q → ∞ as q → 0, so the loss first falls as the prediction leaves the perfect one
    (binary, α = β = ρ = 1, γ = 0.5: minimum at p_true ≈ 0.83). ``tests/losses/test_dual_focal.py``
    checks both.

    Options: ``learnable_gamma`` makes γ = 1 + (γ_max - 1) sigmoid(θ) ∈ (1, γ_max) a parameter
    returned by ``parameters()`` so that the trainer optimises it with the network. ∂L/∂γ =
    -a Σ |g - p|^γ ln|g - p| ≥ 0, so the loss alone drives γ down towards 1, where the claim above
    still holds. ``adaptive_weights`` weights each class term by its inverse frequency among the
    batch's valid pixels (normalised to mean 1 over present classes; absent classes 0).
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
        if not (GAMMA_MIN <= gamma <= GAMMA_MAX and 0.0 <= alpha <= 1.0 and beta >= 0.0 and rho >= 1.0):
            raise ValueError(
                f"Dual Focal needs gamma in [{GAMMA_MIN:g}, {GAMMA_MAX:g}], alpha in [0, 1], beta >= 0 and "
                f"rho >= 1, got gamma={gamma}, alpha={alpha}, beta={beta}, rho={rho}."
            )
        self.alpha, self.beta, self.rho = alpha, beta, rho
        self.nonnegative = rho == 1.0  # the minimum is -beta (K - 1) log(rho)
        self.reward = alpha * min(1.0, beta / rho)
        self.adaptive_weights = adaptive_weights
        if learnable_gamma:
            ratio = min(max((gamma - GAMMA_MIN) / (GAMMA_MAX - GAMMA_MIN), 1e-4), 1.0 - 1e-4)
            self.gamma_logit = nn.Parameter(torch.tensor(math.log(ratio / (1.0 - ratio))))
        else:
            self.gamma_logit = None
            self.fixed_gamma = gamma

    @property
    def gamma(self) -> torch.Tensor | float:
        if self.gamma_logit is None:
            return self.fixed_gamma
        return GAMMA_MIN + (GAMMA_MAX - GAMMA_MIN) * torch.sigmoid(self.gamma_logit)

    def compute(self, x: Prepared) -> torch.Tensor:
        probs, truth = x.probs, x.one_hot()
        error = torch.where(truth > 0, -torch.expm1(x.log_probs), probs)  # |g - p|, 1 - p accurate near p = 1
        terms = (
            truth * x.log_probs
            + self.beta * (1.0 - truth) * torch.log((self.rho - probs).clamp_min(EPS))
            + self.reward * safe_pow(error, self.gamma)
        )
        if self.adaptive_weights:
            terms = terms * _inverse_frequency(truth).view(1, -1, 1, 1)
        return pixel_mean(-terms.sum(dim=1), x)


def _inverse_frequency(truth: torch.Tensor) -> torch.Tensor:
    """``(K,)`` weights ∝ 1 / count of each class among valid pixels, mean 1 over present classes, 0 if absent."""
    counts = truth.sum(dim=(0, 2, 3))
    inverse = torch.where(counts > 0, counts.sum() / counts.clamp_min(1.0), torch.zeros_like(counts))
    present = (counts > 0).sum().clamp_min(1)
    return inverse * present / inverse.sum().clamp_min(EPS)
