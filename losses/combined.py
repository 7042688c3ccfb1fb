"""Losses combining cross-entropy, Dice and Focal terms, computed from one shared log-softmax.

- ``combo`` / ``binary_combo``: the weighted sum of seed 003 (Swastika 2025, "Comparative analysis of
  loss functions for semantic segmentation"): ``L = w_ce L_CE + w_dice L_Dice + w_focal L_Focal``,
  with its seven weight configurations in ``LOSS_PRESETS`` (``dice_dominant`` 0.5/1/0.5 by default,
  the study's best) and the study's focal parameters α = 1, γ = 2.
- ``dice_ce`` / ``binary_dice_bce``: 0.5 L_CE + 0.5 L_Dice; ``focal_dice`` / ``binary_focal_dice``:
  0.5 L_Focal + 0.5 L_Dice (Focal α = 0.25, γ = 2) — seed 000's defaults.
- ``dice_ce_product`` / ``binary_dice_bce_product``: the multiplicative loss
  ``L = L_Dice · L_CE`` (Yokoi & Hotta, ICCV Workshops 2025), free of weights to tune.
- ``taghanaki_combo`` / ``binary_taghanaki_combo`` (Taghanaki, Zheng, Zhou, Georgescu, Sharma, Xu,
  Comaniciu & Hamarneh, CMIG 2019): ``L = α L_wCE(β) + (1 - α) L_Dice`` with the β-weighted
  cross-entropy ``L_wCE = -mean_i mean_c [β g_ic log p_ic + (1 - β)(1 - g_ic) log(1 - p_ic)]``
  (β > 0.5 penalises false negatives more); the paper subtracts the Dice coefficient, here
  ``1 - Dice`` is added so the loss stays non-negative (same gradients). Binary mode scores the
  foreground class.

The combined terms need no dense one-hot target and share one softmax: in multiclass mode through
``fused.FusedTerms`` (closed-form gradients), in binary mode through one log-sigmoid.
"""

from __future__ import annotations

import torch

from .base import EPS, Prepared, SegmentationLoss, pixel_mean
from .dice import dice_term
from .focal import focal_term
from .fused import FusedTerms


def combined_terms(
    x: Prepared, need: set[str], gamma: float = 2.0, alpha: float = 1.0, smooth: float = 1e-5
) -> dict[str, torch.Tensor]:
    """The CE, Dice and Focal terms named in ``need``, from one log-softmax and one gather."""
    if not x.binary:
        ce, dice, focal = FusedTerms.apply(x.logits, x.target, x.valid, x.class_weights, gamma, alpha, smooth)
        return {name: value for name, value in (("ce", ce), ("dice", dice), ("focal", focal)) if name in need}
    terms: dict[str, torch.Tensor] = {}
    log_p = x.true_log_probs()
    if "ce" in need:
        terms["ce"] = pixel_mean(-log_p, x)
    if "focal" in need:
        terms["focal"] = focal_term(x, gamma, alpha, log_p)
    if "dice" in need:
        terms["dice"] = dice_term(x, smooth)
    return terms


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
        self.weights = {
            name: float(w) for name, w in (("ce", ce_weight), ("dice", dice_weight), ("focal", focal_weight)) if w
        }
        if not self.weights:
            raise ValueError("A combined loss needs at least one term with a non-zero weight.")
        self.gamma, self.alpha, self.smooth = gamma, alpha, smooth

    def compute(self, x: Prepared) -> torch.Tensor:
        terms = combined_terms(x, set(self.weights), self.gamma, self.alpha, self.smooth)
        return sum(w * terms[name] for name, w in self.weights.items())


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
        log_probs = x.log_probs
        log_not = torch.log((-torch.expm1(log_probs)).clamp_min(EPS))  # log(1 - p), stable
        truth = x.one_hot()
        per_class = self.beta * truth * log_probs + (1.0 - self.beta) * (1.0 - truth) * log_not
        if x.binary:
            per_class = per_class[:, 1:]
        weighted_ce = pixel_mean(-per_class.mean(dim=1), x)
        dice = combined_terms(x, {"dice"}, smooth=self.smooth)["dice"]
        return self.alpha * weighted_ce + (1.0 - self.alpha) * dice
