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
from typing import Any

import torch
from torch import nn

from .base import EPS, Prepared, SegmentationLoss, pixel_mean
from .fused import safe_pow_derivative

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
    label_sums = False  # no region term

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
        logits = torch.cat([torch.zeros_like(x.logits), x.logits], dim=1) if x.binary else x.logits
        weights = _inverse_frequency(x) if self.adaptive_weights else None
        terms = DualFocalPass.apply(logits, x.target, weights, self.gamma, self.beta, self.rho, self.reward)
        return pixel_mean(-terms, x)


def _inverse_frequency(x: Prepared) -> torch.Tensor:
    """``(K,)`` weights ∝ 1 / count of each class among valid pixels, mean 1 over present classes, 0 if absent."""
    counts = torch.bincount(x.target[x.valid], minlength=x.num_classes).to(x.dtype)
    inverse = torch.where(counts > 0, counts.sum() / counts.clamp_min(1.0), torch.zeros_like(counts))
    present = (counts > 0).sum().clamp_min(1)
    return inverse * present / inverse.sum().clamp_min(EPS)


def _power(base: torch.Tensor, gamma: float | torch.Tensor) -> tuple[torch.Tensor, Any, torch.Tensor | None]:
    """``safe_pow(base, γ)``, its derivative in the base (a number when γ = 1) and, for a learnable γ (a tensor),
    its derivative in γ."""
    if not torch.is_tensor(gamma):
        if gamma == 1.0:
            return base, 1.0, None
        return base**gamma, safe_pow_derivative(base, gamma), None
    positive = base > EPS
    safe = torch.where(positive, base, torch.ones_like(base))
    powered = torch.where(positive, safe**gamma, base * EPS ** (gamma - 1.0))
    slope = torch.where(positive, gamma * safe ** (gamma - 1.0), EPS ** (gamma - 1.0))
    return powered, slope, powered * torch.where(positive, safe.log(), math.log(EPS))


class DualFocalPass(torch.autograd.Function):
    """The Dual Focal sum over classes ``T_i = Σ_c w_c [g_ic log p_ic + β (1 - g_ic) log(ρ - p_ic) + a e_ic^γ]``
    ``(N, H, W)`` from one softmax, with its closed-form gradient (see ``DualFocalLoss``; e = |g - p|, w the
    adaptive class weights or 1). Every class is first scored as a false one, ``F_c = β log(ρ - p_c) + a p_c^γ``,
    and the true class y corrected on ``(N, H, W)`` tensors: ``T = Σ_c w_c F_c + w_y (log p_y + a (1 - p_y)^γ
    - F_y)``. With ``u_c = ∂T/∂p_c`` but for log p_y, ``∂T/∂z_k = p_k (u_k - Σ_c u_c p_c - w_y) + [k = y] w_y``."""

    @staticmethod
    def forward(ctx, logits, target, weights, gamma, beta: float, rho: float, reward: float):
        log_p = torch.log_softmax(logits, dim=1)
        p = log_p.exp()
        index = target.unsqueeze(1)
        room = (rho - p).clamp_min_(EPS)
        false_terms = room.log().mul_(beta)
        powered, slope, gamma_slope = _power(p, gamma)
        false_terms.add_(powered, alpha=reward)
        u = room.reciprocal_().mul_(-beta)  # ∂F/∂p = -β/(ρ - p) + a γ p^(γ-1); 0 where ρ - p was clamped
        if rho - 1.0 < EPS:
            u.masked_fill_(p > rho - EPS, 0.0)
        u.add_(slope * reward)
        log_p_true = log_p.gather(1, index)
        e_true, e_slope, e_gamma_slope = _power(-torch.expm1(log_p_true), gamma)  # (1 - p_y)^γ
        w = None if weights is None else weights.view(1, -1, 1, 1)
        w_true = torch.ones_like(log_p_true) if w is None else weights[index]
        if w is not None:
            false_terms.mul_(w)
            u.mul_(w)
        terms = false_terms.sum(dim=1, keepdim=True) - false_terms.gather(1, index)
        terms.add_(w_true * (log_p_true + reward * e_true))
        u.scatter_(1, index, -reward * e_slope * w_true)  # the true class: ∂(a (1 - p)^γ)/∂p
        if gamma_slope is not None:  # ∂T/∂γ, every class as a false one, then the true class corrected
            gamma_slope = gamma_slope if w is None else gamma_slope * w
            gamma_slope = reward * (
                gamma_slope.sum(1, keepdim=True) - gamma_slope.gather(1, index) + w_true * e_gamma_slope
            )
        ctx.save_for_backward(p, u, index, w_true, gamma_slope)
        return terms.squeeze(1)

    @staticmethod
    def backward(ctx, grad_terms):
        p, u, index, w_true, gamma_slope = ctx.saved_tensors
        grad_terms = grad_terms.unsqueeze(1)
        shift = (u * p).sum(dim=1, keepdim=True).add_(w_true)  # Σ_c u_c p_c + w_y
        grad = (u - shift).mul_(p).scatter_add_(1, index, w_true).mul_(grad_terms)
        grad_gamma = None if gamma_slope is None else (gamma_slope * grad_terms).sum()
        return grad, None, None, grad_gamma, None, None, None
