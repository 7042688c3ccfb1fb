"""Values computed by hand on one image of four pixels.

Foreground probabilities p = [0.8, 0.6, 0.2, 0.1], target y = [1, 1, 0, 0] (binary mode, smooth 0):
TP = 1.4, P = 1.7, G = 2, FP = 0.3, FN = 0.6, TN = 1.7.
"""

from __future__ import annotations

import math

import pytest
import torch

from segmentation_trainer.losses import build_loss

P = torch.tensor([0.8, 0.6, 0.2, 0.1], dtype=torch.float64)
LOGITS = torch.log(P / (1 - P)).view(1, 1, 1, 4)
TARGET = torch.tensor([1, 1, 0, 0]).view(1, 1, 4)


@pytest.mark.parametrize(
    "name, params, expected",
    [
        ("binary_dice", {"smooth": 0.0}, 1 - 2 * 1.4 / 3.7),  # 0.243243
        ("binary_jaccard", {"smooth": 0.0}, 1 - 1.4 / 2.3),  # 0.391304
        ("binary_tversky", {"smooth": 0.0}, 1 - 1.4 / (1.4 + 0.3 * 0.3 + 0.7 * 0.6)),  # 0.267016
        ("binary_focal_tversky", {"smooth": 0.0}, (1 - 1.4 / 1.91) ** 0.75),  # 0.371452
        ("binary_focal", {}, 0.007537242717660429),  # mean of 0.25*0.04*ln(1/.8), 0.25*0.16*ln(1/.6), ...
        ("binary_mcc", {"smooth": 0.0}, 1 - (1.4 * 1.7 - 0.3 * 0.6) / math.sqrt(1.7 * 2.0 * 2.0 * 2.3)),  # 0.443706
        ("binary_generalized_dice", {"smooth": 0.0}, 1 - 2 * (1.4 + 1.7) / (3.7 + 4.3)),  # w = 1/4 for both classes
        ("binary_sensitivity_specificity", {}, 0.05 * (0.04 + 0.16) / 2 + 0.95 * (0.04 + 0.01) / 2),  # no smoothing
        ("binary_topk_bce", {"k_percent": 50.0}, (math.log(1 / 0.6) + math.log(1 / 0.8)) / 2),
        ("bce", {}, (2 * math.log(1 / 0.8) + math.log(1 / 0.6) + math.log(1 / 0.9)) / 4),
        ("binary_dual_focal", {}, 0.08123662102611824),  # α = β = γ = ρ = 1, both classes per pixel
        # dice_dominant 0.5 CE + 1 Dice + 0.5 Focal; focal α = 0.5 on both classes: 0.5 mean (1 - p_t)² ln(1/p_t)
        ("binary_combo", {}, 0.5 * 0.2656183105130591 + (1 - 2 * 1.4 / 3.7) + 0.5 * 0.012579648633034197),
        ("binary_log_cosh_dice", {"smooth": 0.0}, math.log(math.cosh(1 - 2 * 1.4 / 3.7))),
        ("binary_dice_bce", {}, 0.5 * (1 - 2 * 1.4 / 3.7) + 0.5 * 0.2656183105130591),
        ("binary_dice_bce_product", {}, (1 - 2 * 1.4 / 3.7) * 0.2656183105130591),
    ],
)
def test_hand_computed(name, params, expected):
    value = build_loss(name, "binary", 2, **params)(LOGITS, TARGET)
    assert float(value) == pytest.approx(expected, rel=1e-4)


def test_multiclass_cross_entropy_by_hand():
    logits = torch.tensor([[0.0, math.log(3.0)]], dtype=torch.float64).view(1, 2, 1, 1)
    assert float(build_loss("ce", "multiclass", 2)(logits, torch.ones(1, 1, 1, dtype=torch.long))) == pytest.approx(
        -math.log(0.75)
    )
