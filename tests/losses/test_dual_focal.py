"""Dual Focal (Hossain, Paplinski & Betts, Neurocomputing 2021): the perfect prediction is the minimum
for every value the dock allows, the learnable γ included; below γ = 1 it would not be.

The docstring of ``losses.focal.DualFocalLoss`` proves the claim class term by class term; these
tests check the claim on the loss itself and the two inequalities the proof rests on.
"""

from __future__ import annotations

import itertools
import math

import paper_reference as ref
import pytest
import torch

from segmentation_trainer.losses import build_loss, loss_spec

DOCK = {
    mode: {p.name: p for p in loss_spec(name, mode).params}
    for name, mode in (("binary_dual_focal", "binary"), ("dual_focal", "multiclass"))
}


def _grid(param) -> list[float]:
    return sorted({param.minimum, param.default, param.maximum})


def _scan(mode: str) -> tuple[torch.Tensor, torch.Tensor]:
    """One pixel of class 1 per column, predictions from very wrong to the most confident last.

    Binary: logit z from -12 to 12. Multiclass (3 classes): true logit t from -12 to 12, the other two
    at -12 + u (u in [0, 3]), so that the wrong mass is spread differently along the scan.
    """
    steps = torch.linspace(-12.0, 12.0, 97, dtype=torch.float64)
    target = torch.ones(1, 1, steps.numel(), dtype=torch.long)
    if mode == "binary":
        return steps.view(1, 1, 1, -1), target
    spread = torch.linspace(3.0, 0.0, steps.numel(), dtype=torch.float64)
    logits = torch.stack([torch.full_like(steps, -12.0) + spread, steps, torch.full_like(steps, -12.0)])
    return logits.view(1, 3, 1, -1), target


@pytest.mark.parametrize("mode", ["binary", "multiclass"])
def test_the_perfect_prediction_is_the_minimum_for_every_dock_value(mode):
    """Each pixel of the scan is scored alone (a 1x1 image): the most confident right prediction,
    the last column, must score least (to rounding), for every corner of the dock's ranges and the
    defaults."""
    dock = DOCK[mode]
    logits, target = _scan(mode)
    name = "binary_dual_focal" if mode == "binary" else "dual_focal"
    grids = [_grid(dock[p]) for p in ("alpha", "beta", "gamma", "rho")]
    for (alpha, beta, gamma, rho), adaptive in itertools.product(itertools.product(*grids), (False, True)):
        loss = build_loss(
            name,
            mode,
            2 if mode == "binary" else 3,
            alpha=alpha,
            beta=beta,
            gamma=gamma,
            rho=rho,
            adaptive_weights=adaptive,
        )
        values = torch.stack([loss(logits[..., i : i + 1], target[..., i : i + 1]) for i in range(target.shape[-1])])
        assert values[-1] <= values.min() + 1e-15, (alpha, beta, gamma, rho, adaptive, int(values.argmin()))


def test_the_dock_keeps_gamma_at_least_one():
    assert DOCK["binary"]["gamma"].minimum == DOCK["multiclass"]["gamma"].minimum == 1.0
    for mode, name in (("binary", "binary_dual_focal"), ("multiclass", "dual_focal")):
        with pytest.raises(ValueError, match=r"gamma of loss .* must be a number in \[1, 5\]"):
            build_loss(name, mode, 2 if mode == "binary" else 3, gamma=0.5)


def test_below_gamma_one_the_minimum_moves_inside():
    """Why the bound: with γ = 0.5 (α = β = ρ = 1, binary, the paper's formula) the loss of a pixel
    falls as p_true leaves 1: the minimum is at p ≈ 0.83 (-2 ln p - 2 sqrt(1 - p) is least where
    sqrt(1 - p) = p / 2, p = 2 sqrt(2) - 2)."""
    values = {}
    for p in (0.5, 0.7, 2 * math.sqrt(2) - 2, 0.95, 0.999999):
        batch = ref.Batch(torch.tensor([[[[math.log(p / (1 - p))]]]]).numpy(), torch.ones(1, 1, 1).long().numpy(), True)
        values[p] = ref.dual_focal(batch, alpha=1.0, beta=1.0, gamma=0.5, rho=1.0)
    assert min(values, key=values.get) == pytest.approx(2 * math.sqrt(2) - 2)
    assert values[2 * math.sqrt(2) - 2] < values[0.999999] - 0.4


def test_the_inequalities_of_the_proof():
    """-log(1 - q) - a q^γ ≥ 0 and -β log(ρ - p) - a p^γ ≥ -β log ρ for q, p in [0, 1), with the weight
    a the loss uses (``reward``) and γ on a grid covering the dock's ranges."""
    u = torch.linspace(0.0, 0.999, 400, dtype=torch.float64)
    for alpha, beta, gamma, rho in itertools.product(
        (0.0, 0.5, 1.0), (0.0, 0.3, 1.0, 5.0), (1.0, 1.3, 5.0), (1.0, 1.5, 2.0)
    ):
        a = build_loss("dual_focal", "multiclass", 3, alpha=alpha, beta=beta, gamma=gamma, rho=rho).reward
        assert (-torch.log1p(-u) - a * u**gamma >= -1e-12).all()
        assert (-beta * torch.log(rho - u) - a * u**gamma >= -beta * math.log(rho) - 1e-12).all()


def test_learnable_gamma_stays_above_one_and_keeps_the_minimum():
    """The loss alone drives γ down (∂L/∂γ ≥ 0); the parametrisation stops it above 1."""
    loss = build_loss("dual_focal", "multiclass", 3, learnable_gamma=True, gamma=3.0)
    assert float(loss.gamma) == pytest.approx(3.0, rel=1e-4)
    logits = torch.randn(2, 3, 6, 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    target = torch.randint(0, 3, (2, 6, 6), generator=torch.Generator().manual_seed(1))
    optimizer = torch.optim.SGD(loss.parameters(), lr=50.0)
    for _ in range(200):
        optimizer.zero_grad()
        loss(logits, target).backward()
        optimizer.step()
    assert 1.0 < float(loss.gamma) < 1.01  # drifted to the bound, not below it
    scan_logits, scan_target = _scan("multiclass")
    values = torch.stack(
        [loss(scan_logits[..., i : i + 1], scan_target[..., i : i + 1]) for i in range(scan_target.shape[-1])]
    )
    assert values[-1] <= values.min() + 1e-15


@pytest.mark.parametrize(
    ("name", "mode", "classes"), [("dual_focal", "multiclass", 4), ("binary_dual_focal", "binary", 2)]
)
@pytest.mark.parametrize("adaptive", [False, True])
def test_the_closed_form_gradients_match_finite_differences_the_learnable_gamma_included(name, mode, classes, adaptive):
    """The fused pass computes ∂L/∂z and ∂L/∂θ (γ = 1 + 4 sigmoid(θ)) in closed form: both against central
    differences, with ignored pixels and adaptive weights."""
    torch.manual_seed(0)
    loss = build_loss(
        name, mode, classes, learnable_gamma=True, gamma=2.0, alpha=0.7, beta=0.8, rho=1.5, adaptive_weights=adaptive
    ).double()
    logits = torch.randn(2, 4 if mode == "multiclass" else 1, 5, 6, dtype=torch.float64, requires_grad=True)
    target = torch.randint(0, classes, (2, 5, 6))
    target[0, 0, :3] = 255
    assert torch.autograd.gradcheck(lambda z: loss(z, target), (logits,), eps=1e-6, atol=1e-5)
    loss(logits.detach(), target).backward()
    step = 1e-6
    with torch.no_grad():
        loss.gamma_logit += step
        above = loss(logits.detach(), target).item()
        loss.gamma_logit -= 2 * step
        below = loss(logits.detach(), target).item()
    assert loss.gamma_logit.grad.item() == pytest.approx((above - below) / (2 * step), rel=1e-6)
