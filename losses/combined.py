"""Losses combining cross-entropy, Dice, Focal and Tversky terms, computed from one shared log-softmax.

- ``combo`` / ``binary_combo``: the weighted sum of Swastika (2025, "Comparative analysis of loss
  functions for semantic segmentation: an empirical study on Cityscapes dataset", Eq. 1):
  ``L = w_ce L_CE + w_dice L_Dice + w_focal L_Focal``, with its seven weight configurations in
  ``LOSS_PRESETS`` (``dice_dominant`` 0.5/1/0.5 by default, the study's best) and the study's focal
  γ = 2. Focal α: multiclass α = 1, the study's value, which scales every class alike (no class
  balancing); binary α = 0.5, its binary counterpart: Lin et al.'s binary focal weighs foreground
  pixels α and background pixels 1 - α, so "no class balancing" is α = 0.5 (α = 1 would give the
  background weight 0: predicting every pixel as foreground would cost the focal term nothing).
  Because α and 1 - α sum to 1, the binary focal term at α = 0.5 is half the two-class softmax
  focal term at α = 1.
- ``dice_ce`` / ``binary_dice_bce``: ``0.5 L_CE + 0.5 L_Dice``; ``focal_dice`` / ``binary_focal_dice``:
  ``0.5 L_Focal + 0.5 L_Dice`` with γ = 2 — the SemanticSeg4EO defaults. Focal α: multiclass 1, so
  that the two weights mean what they say (α scales the multiclass focal term: with the former
  α = 0.25 the loss was 0.125 L_Focal + 0.5 L_Dice); binary 0.25, Lin et al.'s foreground weight
  (background 0.75).
- ``focal_plus_tversky`` / ``binary_focal_plus_tversky``: the "Focal + Tversky combination" of the
  SemanticSeg4EO loss list, ``L = w_f L_Focal(γ_f, α_f) + w_t L_Tversky(α_t, β_t)`` (Lin et al. 2017;
  Salehi et al. 2017), 0.5/0.5 by default, focal α as in ``focal_dice``. Not to be confused with
  ``focal_tversky`` (Abraham & Khan's (1 - T)^(1/γ)).
- ``dice_ce_product`` / ``binary_dice_bce_product``: the multiplicative loss
  ``L = L_Dice · L_CE`` (Yokoi & Hotta, ICCV Workshops 2025), free of weights to tune.
- ``taghanaki_combo`` / ``binary_taghanaki_combo`` (Taghanaki, Zheng, Zhou, Georgescu, Sharma, Xu,
  Comaniciu & Hamarneh, "Combo loss: handling input and output imbalance in multi-organ
  segmentation", CMIG 2019): ``L = α L_wCE(β) + (1 - α) L_Dice`` with the β-weighted
  cross-entropy ``L_wCE = -mean_i mean_c [β g_ic log p_ic + (1 - β)(1 - g_ic) log(1 - p_ic)]``
  (β > 0.5 penalises false negatives more; in binary mode β is kept inside (0, 1): at β = 0 or 1
  the background's or the foreground's errors cost the cross-entropy nothing); the paper subtracts
  the Dice coefficient, here ``1 - Dice`` is added so the loss stays non-negative (same
  gradients). Binary mode scores the foreground class.

L_CE, L_Dice and L_Focal are those of ``cross_entropy``, ``dice`` and ``focal``. The combined terms
need no dense one-hot target and share one softmax pass (``fused.SoftmaxPass``, closed-form
gradients): CE and Focal from its true-class log-probabilities, Dice from its per-class sums.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .base import EPS, Prepared, RegionLoss, SegmentationLoss, pixel_mean
from .dice import dice_term
from .focal import focal_term
from .tversky import tversky_term, warn_unless_normalised

LOG_EPS = math.log(EPS)  # log(1 - p) is taken of max(1 - p, EPS)


def combined_terms(
    x: Prepared, need: set[str], gamma: float = 2.0, alpha: float = 1.0, smooth: float = 1e-5
) -> dict[str, torch.Tensor]:
    """The CE, Dice and Focal terms named in ``need``, from the batch's one softmax pass."""
    terms = {
        "ce": lambda: pixel_mean(-x.true_log_probs(), x),
        "focal": lambda: focal_term(x, gamma, alpha),
        "dice": lambda: dice_term(x, smooth),
    }
    return {name: term() for name, term in terms.items() if name in need}


class WeightedTermsLoss(SegmentationLoss):
    """``L = Σ w_term L_term`` over CE, Dice and Focal (terms with weight 0 are not computed)."""

    def __init__(
        self,
        *args,
        ce_weight: float = 0.0,
        dice_weight: float = 0.0,
        focal_weight: float = 0.0,
        gamma: float = 2.0,
        alpha: float = 1.0,
        smooth: float = 1e-5,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.weights = _nonzero_weights(ce=ce_weight, dice=dice_weight, focal=focal_weight)
        self.gamma, self.alpha, self.smooth = gamma, alpha, smooth
        self.focal_gamma = gamma if "focal" in self.weights else None
        self.label_sums = "dice" in self.weights

    def compute(self, x: Prepared) -> torch.Tensor:
        terms = combined_terms(x, set(self.weights), self.gamma, self.alpha, self.smooth)
        return sum(w * terms[name] for name, w in self.weights.items())


def _nonzero_weights(**weights: float) -> dict[str, float]:
    """The terms' weights without the zero ones (those terms are not computed); at least one is left."""
    kept = {name: float(w) for name, w in weights.items() if w}
    if not kept:
        raise ValueError("A combined loss needs at least one term with a non-zero weight.")
    return kept


class FocalPlusTverskyLoss(RegionLoss):
    """``L = w_f L_Focal + w_t L_Tversky`` (terms with weight 0 are not computed)."""

    def __init__(
        self,
        *args,
        focal_weight: float = 0.5,
        tversky_weight: float = 0.5,
        focal_gamma: float = 2.0,
        focal_alpha: float = 1.0,
        tversky_alpha: float = 0.3,
        tversky_beta: float = 0.7,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.weights = _nonzero_weights(focal=focal_weight, tversky=tversky_weight)
        warn_unless_normalised(tversky_alpha, tversky_beta)
        self.focal = (focal_gamma, focal_alpha)
        self.focal_gamma = focal_gamma if "focal" in self.weights else None
        self.tversky = (tversky_alpha, tversky_beta)

    def compute(self, x: Prepared) -> torch.Tensor:
        terms = {
            "focal": lambda: focal_term(x, *self.focal),
            "tversky": lambda: tversky_term(x, *self.tversky, self.smooth, self.per_image),
        }
        return sum(w * terms[name]() for name, w in self.weights.items())


class ProductLoss(SegmentationLoss):
    """``L = L_Dice · L_CE``."""

    def __init__(self, *args, smooth: float = 1e-5, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.smooth = smooth

    def compute(self, x: Prepared) -> torch.Tensor:
        terms = combined_terms(x, {"ce", "dice"}, smooth=self.smooth)
        return terms["dice"] * terms["ce"]


class TaghanakiComboLoss(SegmentationLoss):
    def __init__(self, *args, alpha: float = 0.5, beta: float = 0.5, smooth: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.alpha, self.beta, self.smooth = alpha, beta, smooth

    def compute(self, x: Prepared) -> torch.Tensor:
        if x.binary:  # the foreground class's term (one channel: autograd is cheap)
            log_p, log_not = F.logsigmoid(x.logits[:, 0]), F.logsigmoid(-x.logits[:, 0])
            truth = (x.target == 1).to(x.dtype)
            per_pixel = -(self.beta * truth * log_p + (1.0 - self.beta) * (1.0 - truth) * log_not.clamp_min(LOG_EPS))
        else:
            per_pixel = ClassWiseCrossEntropy.apply(x.logits, x.target, self.beta)
        weighted_ce = pixel_mean(per_pixel, x)
        dice = combined_terms(x, {"dice"}, smooth=self.smooth)["dice"]
        return self.alpha * weighted_ce + (1.0 - self.alpha) * dice


class ClassWiseCrossEntropy(torch.autograd.Function):
    """Taghanaki et al.'s β-weighted cross-entropy of each pixel over the K classes, with a closed-form gradient
    (one softmax, no one-hot target, no autograd graph over ``(N, K, H, W)`` tensors):

    ``v_i = -(1/K) [β log p_y + (1 - β) Σ_{c ≠ y} L_c]``, ``L_c = log max(1 - p_c, EPS)`` (1 - p_c formed as
    ``-expm1(log p_c)``, exact near p_c = 1), y the pixel's class;

    ``∂v_i/∂z_k = -(1/K) [β ([k = y] - p_k) + (1 - β)(p_k R - r_k)]`` with ``r_c = p_c / (1 - p_c)`` for c ≠ y
    where ``1 - p_c > EPS`` (0 elsewhere: the clamp's gradient) and ``R = Σ_c r_c``, from
    ``∂L_c/∂z_k = -r_c ([k = c] - p_k)``."""

    @staticmethod
    def forward(ctx, logits: torch.Tensor, target: torch.Tensor, beta: float) -> torch.Tensor:
        log_p = F.log_softmax(logits, dim=1)
        log_not = torch.expm1(log_p).neg_().clamp_min_(EPS).log_()
        index = target.unsqueeze(1)
        log_not_true = log_not.gather(1, index).squeeze(1)
        others = log_not.sum(1).sub_(log_not_true)
        ctx.save_for_backward(log_p, target)
        ctx.beta = beta
        return (log_p.gather(1, index).squeeze(1).mul_(beta) + others.mul_(1.0 - beta)).div_(-logits.shape[1])

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        log_p, target = ctx.saved_tensors
        beta, index = ctx.beta, target.unsqueeze(1)
        p = log_p.exp()
        one_minus = 1.0 - p
        ratio = torch.where(one_minus > EPS, p / one_minus, 0.0).scatter_(1, index, 0.0)  # r_c, 0 at c = y
        scale = grad.unsqueeze(1) / -log_p.shape[1]
        # β([k = y] - p_k) + (1 - β)(p_k R - r_k)
        inner = p * ((1.0 - beta) * ratio.sum(1, keepdim=True) - beta) - (1.0 - beta) * ratio
        inner.scatter_add_(1, index, torch.full_like(log_p[:, :1], beta))
        return inner * scale, None, None
