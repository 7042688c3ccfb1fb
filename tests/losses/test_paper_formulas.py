"""Every loss of the catalog, in both modes, against the independent reference of its paper's formula.

``paper_reference`` holds naive float64 implementations (loops, brute-force distance transforms,
no torch/SciPy/segmentation library), each citing its paper and equation. Three parameter sets per
loss: the catalog's defaults, every parameter moved towards the far end of its dock range (bools
flipped), and the defaults with class weights.
"""

from __future__ import annotations

import warnings

import numpy as np
import paper_reference as ref
import pytest
import torch
from loss_helpers import ALL, classes_of

from segmentation_trainer.losses import build_loss, loss_spec

CLASSES = 3
CLASS_WEIGHTS = {"binary": [0.7, 1.6], "multiclass": [0.5, 1.3, 2.2]}


def small_batch(mode: str, seed: int = 0):
    """Two 5x6 images, every class in each image, about 15 % ignored pixels, moderate logits."""
    k = classes_of(mode, CLASSES)
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(2, 1 if mode == "binary" else k, 5, 6, generator=generator, dtype=torch.float64) * 1.5
    target = torch.randint(0, k, (2, 5, 6), generator=generator)
    target[:, 0, :k] = torch.arange(k)
    ignored = torch.rand(2, 5, 6, generator=generator) < 0.15
    ignored[:, 0, :k] = False
    target[ignored] = 255
    return logits, target


def varied(spec) -> dict:
    """Each parameter 60 % of the way from its default to the farther end of its range; bools flipped."""
    values = {}
    for p in spec.params:
        if p.kind == "bool":
            values[p.name] = not p.default
            continue
        end = p.maximum if p.maximum - p.default >= p.default - p.minimum else p.minimum
        value = p.default + 0.6 * (end - p.default)
        values[p.name] = round(value) if p.kind == "int" else value
    if spec.family == "dual_focal" and values.get("learnable_gamma"):
        values["gamma"] = 2.5  # the learnable γ starts at the given one, strictly inside (1, 5)
    return values


CASES = [
    pytest.param(name, mode, setting, id=f"{mode}:{name}:{setting}")
    for name, mode in ALL
    for setting in ("defaults", "varied", "class_weights")
]


@pytest.mark.parametrize("name, mode, setting", CASES)
def test_loss_matches_the_papers_formula(name, mode, setting):
    spec = loss_spec(name, mode)
    params = spec.defaults() | (varied(spec) if setting == "varied" else {})
    weights = CLASS_WEIGHTS[mode] if setting == "class_weights" else None
    logits, target = small_batch(mode, seed=len(name))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Tversky's alpha + beta != 1 warning
        loss = build_loss(name, mode, classes_of(mode, CLASSES), class_weights=weights, **params)
    ours = float(loss(logits, target))
    batch = ref.Batch(logits.numpy(), target.numpy(), mode == "binary", weights)
    expected = ref.FAMILIES[spec.family](batch, **params)
    assert ours == pytest.approx(expected, rel=1e-6, abs=1e-9), (params, ours, expected)


def test_every_family_has_a_reference():
    assert {loss_spec(name, mode).family for name, mode in ALL} == set(ref.FAMILIES)


def test_the_reference_itself_on_hand_values():
    """The naive reference reproduces two hand computations (so a shared slip would need two)."""
    p = np.array([0.8, 0.6, 0.2, 0.1])
    batch = ref.Batch(np.log(p / (1 - p)).reshape(1, 1, 1, 4), np.array([[[1, 1, 0, 0]]]), True)
    assert ref.dice(batch, 0.0) == pytest.approx(1 - 2 * 1.4 / 3.7)
    assert ref.lovasz_extension([0.5, 0.2], [True, False]) == pytest.approx(0.5 * 1.0 + 0.2 * 0.0)
    # Lovász extension at 0/1 errors equals the Jaccard loss of the wrong set: 2 wrong of 3 in G ∪ M
    assert ref.lovasz_extension([1.0, 0.0, 1.0], [True, True, False]) == pytest.approx(2 / 3)
