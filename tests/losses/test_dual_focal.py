"""Dual Focal (Hossain, Paplinski & Betts, Neurocomputing 2021): the α|g - p|^γ term is added to the
loss (more loss and gradient on hard pixels), and the perfect prediction is the minimum for every value
the dock allows, the learnable γ included — which the other sign of that term does not give for γ < 1.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import paper_reference as ref
import pytest
import torch
from loss_helpers import make_batch

from segmentation_trainer.losses import build_loss, loss_spec

NAMES = {"binary": "binary_dual_focal", "multiclass": "dual_focal"}


def _scan(mode: str) -> tuple[torch.Tensor, torch.Tensor]:
    """One pixel of class 1 per column, predictions from very wrong to the most confident last.

    Binary: logit z from -12 to 12. Multiclass (3 classes): true logit t from -12 to 12, the other two
    at -12 + u (u from 3 to 0) and -12, so that the wrong mass is spread differently along the scan.
    """
    steps = torch.linspace(-12.0, 12.0, 49, dtype=torch.float64)
    target = torch.ones(1, 1, steps.numel(), dtype=torch.long)
    if mode == "binary":
        return steps.view(1, 1, 1, -1), target
    spread = torch.linspace(3.0, 0.0, steps.numel(), dtype=torch.float64)
    logits = torch.stack([torch.full_like(steps, -12.0) + spread, steps, torch.full_like(steps, -12.0)])
    return logits.view(1, 3, 1, -1), target


def _scan_values(loss, mode: str) -> torch.Tensor:
    """The loss of each column of the scan, each pixel scored alone (a 1x1 image)."""
    logits, target = _scan(mode)
    return torch.stack([loss(logits[..., i : i + 1], target[..., i : i + 1]) for i in range(target.shape[-1])])


@pytest.mark.parametrize("mode", ["binary", "multiclass"])
def test_the_perfect_prediction_is_the_minimum_for_every_dock_value(mode):
    """The most confident right prediction (the scan's last column) scores least (to rounding) for
    every combination of the ends and defaults of the dock's ranges, adaptive weights both ways."""
    dock = {p.name: p for p in loss_spec(NAMES[mode], mode).params}
    grids = [sorted({dock[p].minimum, dock[p].default, dock[p].maximum}) for p in ("alpha", "beta", "gamma", "rho")]
    for (alpha, beta, gamma, rho), adaptive in itertools.product(itertools.product(*grids), (False, True)):
        params = {"alpha": alpha, "beta": beta, "gamma": gamma, "rho": rho, "adaptive_weights": adaptive}
        values = _scan_values(build_loss(NAMES[mode], mode, 2 if mode == "binary" else 3, **params), mode)
        assert values[-1] <= values.min() + 1e-15, (params, int(values.argmin()))


@pytest.mark.parametrize("mode", ["binary", "multiclass"])
def test_the_alpha_term_adds_loss_and_gradient_on_hard_pixels(mode):
    """The paper's aim: more loss on hard-to-classify pixels, no vanishing gradient. The α-term adds
    α mean Σ_c |g - p|^γ to the loss, and it never shrinks the gradient on a pixel's true logit."""
    k = 2 if mode == "binary" else 3
    logits, target = make_batch(mode, k, ignore_share=0.0, seed=5)
    gradients, values = [], []
    for alpha in (0.0, 2.0):
        z = logits.detach().clone().requires_grad_()
        value = build_loss(NAMES[mode], mode, k, alpha=alpha, gamma=0.5)(z, target)
        value.backward()
        values.append(value)
        true = z.grad if mode == "binary" else z.grad.gather(1, target.unsqueeze(1))
        sign = torch.where(target == 1, 1.0, -1.0).unsqueeze(1) if mode == "binary" else 1.0
        gradients.append(true * sign)  # derivative along the direction that makes the pixel right
    probs = torch.sigmoid(logits) if mode == "binary" else torch.softmax(logits, dim=1)
    probs = torch.cat([1 - probs, probs], dim=1) if mode == "binary" else probs
    onehot = torch.nn.functional.one_hot(target, k).permute(0, 3, 1, 2)
    added = 2.0 * (onehot - probs).abs().pow(0.5).sum(dim=1).mean()
    assert torch.allclose(values[1] - values[0], added)
    assert (gradients[1] <= gradients[0] + 1e-15).all()  # at least as steep a descent towards the truth


def test_with_gamma_below_one_only_the_added_sign_keeps_the_minimum_at_the_perfect_prediction():
    """γ = 0.5, α = β = ρ = 1, binary: ours is least at the perfect prediction; with the α-term
    subtracted (the other sign, the former implementation) the loss of a pixel is least at
    p_true = 2 sqrt(2) - 2 ≈ 0.83, where sqrt(1 - p) = p / 2."""
    values = _scan_values(build_loss("binary_dual_focal", "binary", 2, gamma=0.5), "binary")
    assert values[-1] <= values.min() + 1e-15
    rewarded = {}
    for p in (0.5, 0.7, 2 * math.sqrt(2) - 2, 0.95, 0.999999):
        batch = ref.Batch(np.array([[[[math.log(p / (1 - p))]]]]), np.ones((1, 1, 1), dtype=int), True)
        rewarded[p] = ref.dual_focal(batch, alpha=1.0, beta=1.0, gamma=0.5, rho=1.0, reward=True)
    assert min(rewarded, key=rewarded.get) == pytest.approx(2 * math.sqrt(2) - 2)
    assert rewarded[2 * math.sqrt(2) - 2] < rewarded[0.999999] - 0.4


def test_learnable_gamma_drifts_up_within_its_range_and_keeps_the_minimum():
    """∂L/∂γ = α Σ |g - p|^γ ln|g - p| ≤ 0: the loss alone raises γ, towards 5, never past it."""
    loss = build_loss("dual_focal", "multiclass", 3, learnable_gamma=True, gamma=1.0)
    assert float(loss.gamma) == pytest.approx(1.0, rel=1e-4)
    logits, target = make_batch("multiclass", 3, shape=(2, 6, 6), seed=0)
    optimizer = torch.optim.SGD(loss.parameters(), lr=20.0)
    for _ in range(100):
        optimizer.zero_grad()
        loss(logits.detach(), target).backward()
        optimizer.step()
    assert 2.0 < float(loss.gamma) < 5.0
    values = _scan_values(loss, "multiclass")
    assert values[-1] <= values.min() + 1e-15
