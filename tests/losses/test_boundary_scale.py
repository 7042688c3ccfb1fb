"""The boundary term's scale (Kervadec et al., "Boundary loss for highly unbalanced segmentation", MIDL
2019): at equal weights its gradient is of the size of Dice's, whatever the tile size.

The gradients of the two terms are separated through the public loss: boundary_weight = 0 gives
∇L_Dice, boundary_weight = 0.5 gives (∇L_Dice + ∇L_B) / 2.
"""

from __future__ import annotations

import math

import pytest
import torch

from segmentation_trainer.losses import build_loss


def disk(size: int, share: float) -> torch.Tensor:
    """A (1, size, size) target: a centred disk covering ``share`` of the tile."""
    radius = math.sqrt(share * size * size / math.pi)
    rows, cols = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    return (((rows - size / 2) ** 2 + (cols - size / 2) ** 2) <= radius**2).long().unsqueeze(0)


def gradient_ratio(size: int, share: float, mode: str = "binary") -> float:
    """||∇L_B|| / ||∇L_Dice|| at random logits (the start of training)."""
    target = disk(size, share)
    channels = 1 if mode == "binary" else 2
    logits = torch.randn(1, channels, size, size, generator=torch.Generator().manual_seed(size), dtype=torch.float64)
    name = "binary_boundary" if mode == "binary" else "boundary"
    grads = []
    for weight in (0.0, 0.5):
        z = logits.clone().requires_grad_()
        build_loss(name, mode, 2, boundary_weight=weight)(z, target).backward()
        grads.append(z.grad)
    dice, mixed = grads
    return float((2 * mixed - dice).norm() / dice.norm())


@pytest.mark.parametrize("share", [0.05, 0.2, 0.5])
def test_at_equal_weights_the_boundary_gradient_is_the_size_of_dices(share):
    ratio = gradient_ratio(64, share)
    assert 0.5 < ratio < 2.5, ratio


def test_the_scale_does_not_depend_on_the_tile_size():
    small, large = gradient_ratio(64, 0.2), gradient_ratio(256, 0.2)
    assert small == pytest.approx(large, rel=0.15)
    assert 0.5 < gradient_ratio(64, 0.2, "multiclass") < 2.5


def test_the_boundary_term_lies_in_minus_one_one_and_is_least_at_the_perfect_prediction():
    target = disk(32, 0.3)
    loss = build_loss("binary_boundary", "binary", 2, boundary_weight=0.99, smooth=0.0)
    perfect = loss((target.unsqueeze(1) * 2 - 1).double() * 30, target)
    everything = loss(torch.full((1, 1, 32, 32), 30.0, dtype=torch.float64), target)
    nothing = loss(torch.full((1, 1, 32, 32), -30.0, dtype=torch.float64), target)
    assert -1.0 <= float(perfect) < 0.0 < float(nothing) < float(everything) <= 1.0
