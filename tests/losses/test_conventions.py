"""Conventions of issue 13: the binary combo's focal α, what the weights of combined losses mean, the
Focal + Tversky combination, parameters a loss does not use, class weights, clDice and boundary limits."""

from __future__ import annotations

import warnings

import pytest
import torch
from loss_helpers import ALL, classes_of, make_batch, perfect_logits

from segmentation_trainer.losses import LOSS_PRESETS, build_loss, loss_spec
from segmentation_trainer.losses.boundary import BoundaryLoss
from segmentation_trainer.losses.cldice import ClDiceLoss


def binary_batch(seed: int = 0):
    logits, target = make_batch("binary", shape=(2, 12, 12), ignore_share=0.0, seed=seed)
    return logits.detach(), target


# --- 1. binary combo: the focal term weighs the background -------------------------------------


def test_binary_combo_focal_only_does_not_reward_predicting_everything_as_foreground():
    """With the former α = 1 the background weighed 1 - α = 0: an all-foreground prediction scored 0,
    as the perfect one did."""
    _, target = binary_batch()
    loss = build_loss("binary_combo", "binary", 2, preset="focal_only")
    perfect = loss(perfect_logits(target, "binary", 2, scale=12.0), target)
    everything = loss(torch.full((2, 1, 12, 12), 12.0, dtype=torch.float64), target)
    assert float(everything) > float(perfect) + 0.1


@pytest.mark.parametrize("preset", list(LOSS_PRESETS))
def test_binary_combo_gives_background_pixels_a_gradient_under_every_preset(preset):
    logits, target = binary_batch(1)
    logits.requires_grad_()
    build_loss("binary_combo", "binary", 2, preset=preset)(logits, target).backward()
    assert (logits.grad[:, 0][target == 0] != 0).all()


def test_the_binary_combos_alpha_is_the_balanced_counterpart_of_the_studys():
    assert loss_spec("combo", "multiclass").defaults()["alpha"] == 1.0  # Swastika 2025, Table I
    binary = {p.name: p for p in loss_spec("binary_combo", "binary").params}["alpha"]
    assert binary.default == 0.5 and 0.0 < binary.minimum and binary.maximum < 1.0


# --- 5. what the weights of combined losses mean ------------------------------------------------


@pytest.mark.parametrize("mode", ["binary", "multiclass"])
def test_focal_dice_is_half_focal_plus_half_dice(mode):
    """Multiclass α = 1 (the unscaled focal loss): the 0.5 / 0.5 weights mean what they say; binary α
    is Lin et al.'s foreground weight 0.25 (background 0.75)."""
    k = classes_of(mode)
    logits, target = make_batch(mode, seed=3)
    names = {
        "binary": ("binary_focal_dice", "binary_focal", "binary_dice"),
        "multiclass": ("focal_dice", "focal", "dice"),
    }
    focal_dice, focal, dice = names[mode]
    alpha = loss_spec(focal_dice, mode).defaults()["alpha"]
    assert alpha == (0.25 if mode == "binary" else 1.0)
    expected = 0.5 * build_loss(focal, mode, k, alpha=alpha)(logits, target) + 0.5 * build_loss(dice, mode, k)(
        logits, target
    )
    assert torch.allclose(build_loss(focal_dice, mode, k)(logits, target), expected)


@pytest.mark.parametrize("mode", ["binary", "multiclass"])
def test_focal_plus_tversky_is_the_weighted_sum_not_abraham_and_khans_loss(mode):
    k = classes_of(mode)
    prefix = "binary_" if mode == "binary" else ""
    logits, target = make_batch(mode, seed=4)
    params = {"focal_weight": 0.7, "tversky_weight": 1.5, "focal_gamma": 1.5, "focal_alpha": 0.4}
    params |= {"tversky_alpha": 0.4, "tversky_beta": 0.6}
    combined = build_loss(f"{prefix}focal_plus_tversky", mode, k, **params)(logits, target)
    focal = build_loss(f"{prefix}focal", mode, k, gamma=1.5, alpha=0.4)(logits, target)
    tversky = build_loss(f"{prefix}tversky", mode, k, alpha=0.4, beta=0.6)(logits, target)
    assert torch.allclose(combined, 0.7 * focal + 1.5 * tversky)
    assert not torch.allclose(combined, build_loss(f"{prefix}focal_tversky", mode, k)(logits, target))
    assert loss_spec(f"{prefix}focal_plus_tversky", mode).counterpart == (
        "focal_plus_tversky" if mode == "binary" else "binary_focal_plus_tversky"
    )


# --- parameters a loss does not use, values outside the dock's ranges ----------------------------


@pytest.mark.parametrize(
    "name, mode, params, message",
    [
        ("sensitivity_specificity", "multiclass", {"smooth": 1.0}, "Unknown parameter.*smooth"),
        ("binary_sensitivity_specificity", "binary", {"smooth": 1.0}, "Unknown parameter.*smooth"),
        ("focal_dice", "multiclass", {"preset": "ce_only"}, "Unknown parameter.*preset"),
        ("dice_ce", "multiclass", {"preset": "ce_only"}, "Unknown parameter.*preset"),
        ("binary_focal", "binary", {"alpha": 1.0}, r"alpha of loss 'binary_focal' must be a number in \[0.01, 0.99\]"),
        ("tversky", "multiclass", {"alpha": 0.0}, r"alpha .* must be a number in \[0.01, 1\]"),
        ("cldice", "multiclass", {"iterations": 2.5}, "must be an integer"),
        ("lovasz_hinge", "binary", {"per_image": "yes"}, "takes true or false"),
        ("ce", "multiclass", {"class_weights": [1.0, 0.0, 1.0, 1.0]}, "class_weights must be finite positive"),
        ("combo", "multiclass", {"ce_weight": 0.0, "dice_weight": 0.0, "focal_weight": 0.0}, "non-zero weight"),
        ("exp_log", "multiclass", {"dice_weight": 0.0, "ce_weight": 0.0}, "above 0"),
    ],
)
def test_unused_parameters_and_values_outside_the_ranges_are_refused(name, mode, params, message):
    with pytest.raises(ValueError, match=message):
        build_loss(name, mode, classes_of(mode), **params)


def test_presets_still_apply_to_the_combos():
    assert build_loss("binary_combo", "binary", 2, preset="ce_only").weights == {"ce": 1.0}


def _moved(param):
    if param.kind == "bool":
        return not param.default
    end = param.maximum if param.maximum - param.default >= param.default - param.minimum else param.minimum
    value = param.default + 0.5 * (end - param.default)
    return round(value) if param.kind == "int" else value


CASES = [(name, mode, p) for name, mode in ALL for p in loss_spec(name, mode).params]
# Binary Dual Focal at β = ρ = 1: both class terms of a pixel are equal (log p + a(1 - p)), so
# weights of mean 1 over the two classes change nothing; with β ≠ ρ they do.
BASE = {("binary_dual_focal", "adaptive_weights"): {"beta": 2.0}}


@pytest.mark.parametrize("name, mode, param", CASES, ids=[f"{m}:{n}:{p.name}" for n, m, p in CASES])
def test_every_parameter_of_the_catalog_changes_the_loss(name, mode, param):
    """No accepted-but-unused parameter: moving any parameter changes the value (learnable_gamma: the
    loss gains a trainable parameter)."""
    k = classes_of(mode)
    logits, target = make_batch(mode, shape=(2, 10, 10), seed=8)
    target[1, :4] = torch.where(target[1, :4] == 255, 255, 0)  # images of different class shares (per_image)
    base_params = BASE.get((name, param.name), {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = build_loss(name, mode, k, **base_params)
        moved = build_loss(name, mode, k, **base_params, **{param.name: _moved(param)})
    if param.name == "learnable_gamma":
        assert len(list(moved.parameters())) == 1 and not list(base.parameters())
        return
    assert not torch.allclose(base(logits, target), moved(logits, target), rtol=1e-9, atol=0), param.name


# Binary region losses score the foreground alone, so a class weight cancels out of their mean; the
# Lovász hinge scores one set of pixels. Every other loss uses class weights.
NO_CLASS_WEIGHT_EFFECT = {
    "binary_dice",
    "binary_jaccard",
    "binary_tversky",
    "binary_focal_tversky",
    "binary_log_cosh_dice",
    "binary_sensitivity_specificity",
    "binary_mcc",
    "binary_boundary",
    "binary_hausdorff_dt",
    "binary_cldice",
    "lovasz_hinge",
}


@pytest.mark.parametrize("name, mode", ALL, ids=[f"{m}:{n}" for n, m in ALL])
def test_class_weights_act_where_documented(name, mode):
    k = classes_of(mode)
    logits, target = make_batch(mode, shape=(2, 10, 10), seed=9)
    skewed = [3.0] + [1.0] * (k - 2) + [0.4]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = build_loss(name, mode, k)(logits, target)
        weighted = build_loss(name, mode, k, class_weights=skewed)(logits, target)
    assert torch.allclose(plain, weighted, rtol=1e-9, atol=0) == (name in NO_CLASS_WEIGHT_EFFECT)


# --- why some ranges stop short ------------------------------------------------------------------


def thin_lines() -> torch.Tensor:
    target = torch.zeros(1, 16, 16, dtype=torch.long)
    target[0, 3, 2:14] = 1
    target[0, 2:14, 10] = 1
    return target


def test_cldice_alone_is_no_loss_hence_alpha_at_most_one_half():
    """Shit et al. combine clDice with Dice: an all-foreground prediction has an empty soft skeleton
    and scores a perfect clDice. At α ≤ 0.5 the Dice term makes it lose to the perfect prediction."""
    target = thin_lines()
    everything = torch.full((1, 1, 16, 16), 30.0, dtype=torch.float64)
    perfect = (target.unsqueeze(1) * 2 - 1).double() * 30
    alone = ClDiceLoss(True, 2, alpha=1.0)
    assert float(alone(everything, target)) == pytest.approx(float(alone(perfect, target)), abs=1e-9)
    combined = build_loss("binary_cldice", "binary", 2, alpha=0.5)
    assert float(combined(everything, target)) > float(combined(perfect, target)) + 0.1
    with pytest.raises(ValueError, match=r"alpha .* \[0, 0.5\]"):
        build_loss("binary_cldice", "binary", 2, alpha=0.6)


def test_the_boundary_term_alone_ignores_the_inner_rim_hence_weight_below_one():
    """Kervadec's φ is 0 on the object's inner rim: with boundary_weight = 1 a prediction that misses
    the rim scores as well as the perfect one."""
    target = torch.zeros(1, 12, 12, dtype=torch.long)
    target[0, 3:9, 3:9] = 1
    rimless = torch.zeros_like(target)
    rimless[0, 4:8, 4:8] = 1
    perfect, missing = ((t.unsqueeze(1) * 2 - 1).double() * 40 for t in (target, rimless))
    alone = BoundaryLoss(True, 2, boundary_weight=1.0)
    assert float(alone(missing, target)) == pytest.approx(float(alone(perfect, target)), abs=1e-12)
    mixed = build_loss("binary_boundary", "binary", 2, boundary_weight=0.99)
    assert float(mixed(missing, target)) > float(mixed(perfect, target)) + 1e-3
    with pytest.raises(ValueError, match=r"boundary_weight .* \[0, 0.99\]"):
        build_loss("binary_boundary", "binary", 2, boundary_weight=1.0)
