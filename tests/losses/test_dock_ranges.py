"""For every parameter value the dock allows, the perfect prediction is the minimum, no class is free.

For every loss of ``available_losses(mode)`` and parameter values drawn within each ParamSpec's
[minimum, maximum] (bools both ways) — at random with hypothesis, and at the corners of the ranges:

- the perfect prediction (logits ±12 in the right direction) scores no more than random logits and
  than near-perfect logits (each pixel less confident in the right class);
- every *wrong* prediction (all pixels one class, or every pixel the next class) scores strictly
  more: a parameter value that gives a class, or an error type, zero weight would let one of them
  score as well as the perfect prediction;
- values and gradients are finite.

The only refused values are documented ones: a combined loss whose term weights are all 0.
"""

from __future__ import annotations

import itertools
import warnings

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loss_helpers import classes_of, perfect_logits

from segmentation_trainer.losses import available_losses, build_loss

SPECS = [spec for mode in ("binary", "multiclass") for spec in available_losses(mode)]
CLASSES = 3
SCALE = 12.0
TERM_WEIGHTS = {"ce_weight", "bce_weight", "dice_weight", "focal_weight", "tversky_weight"}


def _target(mode: str) -> torch.Tensor:
    """Two 8x8 images with every class in each and 10 % ignored pixels."""
    k = classes_of(mode, CLASSES)
    generator = torch.Generator().manual_seed(7)
    target = torch.randint(0, k, (2, 8, 8), generator=generator)
    target[:, 0, :k] = torch.arange(k)
    ignored = torch.rand(2, 8, 8, generator=generator) < 0.1
    ignored[:, 0, :k] = False
    target[ignored] = 255
    return target


TARGETS = {mode: _target(mode) for mode in ("binary", "multiclass")}


def _confident(labels: torch.Tensor, mode: str, right: torch.Tensor, wrong: torch.Tensor) -> torch.Tensor:
    """Logits putting each pixel on ``labels`` with margin ``right`` (true class) and ``wrong`` (others)."""
    k = classes_of(mode, CLASSES)
    safe = torch.where(labels == 255, 0, labels)
    if mode == "binary":
        return torch.where(safe == 1, right, -wrong).unsqueeze(1).double()
    onehot = torch.nn.functional.one_hot(safe, k).permute(0, 3, 1, 2).double()
    return onehot * right.unsqueeze(1) - (1 - onehot) * wrong.unsqueeze(1)


def predictions(mode: str, seed: int) -> dict[str, list[torch.Tensor]]:
    target = TARGETS[mode]
    k = classes_of(mode, CLASSES)
    generator = torch.Generator().manual_seed(seed)
    shape = (2, 1 if mode == "binary" else k, 8, 8)
    full = torch.full(target.shape, SCALE, dtype=torch.float64)

    def shrink(high: float) -> torch.Tensor:  # margins in (SCALE (1 - high), SCALE]
        return SCALE * (1 - high * torch.rand(target.shape, generator=generator, dtype=torch.float64))

    return {
        "perturbed": [
            torch.randn(shape, generator=generator, dtype=torch.float64) * 3,
            torch.randn(shape, generator=generator, dtype=torch.float64) * 0.5,
            _confident(target, mode, shrink(1.0), shrink(1.0)),
            _confident(target, mode, shrink(0.3), shrink(0.3)),
        ],
        "wrong": [_confident(torch.full_like(target, c), mode, full, full) for c in range(k)]
        + [_confident((target + 1) % k, mode, full, full)],
    }


def is_refused(spec, params: dict) -> bool:
    """Documented refusal: a combined loss with every term weight 0."""
    weights = [params[name] for name in TERM_WEIGHTS & set(params)]
    return bool(weights) and not any(weights)


def check(spec, params: dict, seed: int = 0) -> None:
    k = classes_of(spec.mode, CLASSES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Tversky's alpha + beta != 1 warning
        if is_refused(spec, params):
            with pytest.raises(ValueError, match=r"non-zero weight|above 0"):
                build_loss(spec.name, spec.mode, k, **params)
            return
        loss = build_loss(spec.name, spec.mode, k, **params)
    target = TARGETS[spec.mode]

    def value(logits: torch.Tensor) -> torch.Tensor:
        logits = logits.clone().requires_grad_()
        result = loss(logits, target)
        result.backward()
        assert torch.isfinite(result) and torch.isfinite(logits.grad).all(), (spec.name, params)
        assert all(p.grad is None or torch.isfinite(p.grad).all() for p in loss.parameters())
        return result.detach()

    best = value(perfect_logits(target, spec.mode, k, scale=SCALE))
    others = predictions(spec.mode, seed)
    perturbed = [value(logits) for logits in others["perturbed"]]
    assert all(best <= v + 1e-9 for v in perturbed), (spec.name, params, float(best), perturbed)
    margin = 1e-3 * float(max(perturbed) - best)  # relative: a tiny positive weight scales the whole loss
    wrong = [value(logits) for logits in others["wrong"]]
    assert all(v > best + margin for v in wrong), (spec.name, params, float(best), wrong)


def _strategy(param):
    if param.kind == "bool":
        return st.booleans()
    if param.kind == "int":
        return st.integers(int(param.minimum), int(param.maximum))
    # the values the dock's spin box can hold: rounded to its decimals
    floats = st.floats(param.minimum, param.maximum, allow_nan=False, allow_infinity=False)
    return floats.map(lambda v: min(max(round(v, param.decimals), param.minimum), param.maximum))


@pytest.mark.parametrize("spec", SPECS, ids=[f"{s.mode}:{s.name}" for s in SPECS])
def test_any_dock_value_keeps_the_perfect_prediction_the_strict_minimum(spec):
    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(params=st.fixed_dictionaries({p.name: _strategy(p) for p in spec.params}), seed=st.integers(0, 99))
    def run(params, seed):
        check(spec, params, seed)

    run()


def corners(spec) -> list[dict]:
    """All parameters at their minimum, all at their maximum, and each alone at either end."""
    low = {p.name: (False if p.kind == "bool" else p.minimum) for p in spec.params}
    high = {p.name: (True if p.kind == "bool" else p.maximum) for p in spec.params}
    configs = [low, high]
    for p, end in itertools.product(spec.params, (low, high)):
        configs.append(spec.defaults() | {p.name: end[p.name]})
    return configs


@pytest.mark.parametrize("spec", SPECS, ids=[f"{s.mode}:{s.name}" for s in SPECS])
def test_the_corners_of_the_dock_ranges(spec):
    for params in corners(spec):
        check(spec, params)
