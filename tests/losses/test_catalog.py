"""The catalog: seed 000's names and defaults, auto-conversion, presets, errors, coverage."""

from __future__ import annotations

import warnings

import pytest

from segmentation_trainer.losses import LOSS_PRESETS, available_losses, build_loss, convert_loss_name, loss_spec

SEED_BINARY = [
    "bce",
    "binary_dice",
    "binary_focal",
    "binary_focal_dice",
    "binary_tversky",
    "binary_focal_tversky",
    "binary_dice_bce",
]
SEED_MULTICLASS = ["ce", "dice", "focal", "tversky", "focal_tversky", "dice_ce", "focal_dice", "combo"]


def test_seed_names_exist_and_defaults_come_first():
    binary = [s.name for s in available_losses("binary")]
    multiclass = [s.name for s in available_losses("multiclass")]
    assert set(SEED_BINARY) <= set(binary) and set(SEED_MULTICLASS) <= set(multiclass)
    assert binary[0] == "binary_dice_bce" and multiclass[0] == "dice_ce"


@pytest.mark.parametrize(
    "name, mode, expected",
    [
        ("binary_focal", "binary", {"gamma": 2.0, "alpha": 0.25}),
        ("focal", "multiclass", {"gamma": 2.0, "alpha": 0.25}),
        ("binary_tversky", "binary", {"alpha": 0.3, "beta": 0.7}),
        ("tversky", "multiclass", {"alpha": 0.3, "beta": 0.7}),
        ("focal_tversky", "multiclass", {"alpha": 0.3, "beta": 0.7, "gamma": 4 / 3}),
        ("binary_dice_bce", "binary", {"bce_weight": 0.5, "dice_weight": 0.5}),
        ("dice_ce", "multiclass", {"ce_weight": 0.5, "dice_weight": 0.5}),
        (
            "combo",
            "multiclass",
            {"ce_weight": 0.5, "dice_weight": 1.0, "focal_weight": 0.5, "alpha": 1.0, "gamma": 2.0},
        ),
    ],
)
def test_seed_defaults(name, mode, expected):
    defaults = loss_spec(name, mode).defaults()
    assert {k: defaults[k] for k in expected} == pytest.approx(expected)


@pytest.mark.parametrize(
    "binary, multiclass",
    [
        ("binary_dice_bce", "dice_ce"),
        ("binary_focal", "focal"),
        ("binary_tversky", "tversky"),
        ("bce", "ce"),
        ("binary_focal_tversky", "focal_tversky"),
        ("binary_focal_dice", "focal_dice"),
        ("lovasz_hinge", "lovasz_softmax"),
    ],
)
def test_auto_conversion(binary, multiclass):
    assert convert_loss_name(binary, "multiclass") == multiclass
    assert convert_loss_name(multiclass, "binary") == binary
    assert convert_loss_name(binary, "binary") == binary


def test_every_loss_has_both_modes_and_round_trips():
    for mode, other in (("binary", "multiclass"), ("multiclass", "binary")):
        for spec in available_losses(mode):
            assert convert_loss_name(convert_loss_name(spec.name, other), mode) == spec.name


def test_at_least_25_distinct_losses_with_references():
    assert len(available_losses("multiclass")) >= 25 and len(available_losses("binary")) >= 25
    assert all(s.description and s.scenario and s.reference for s in available_losses("binary"))
    for spec in available_losses("multiclass"):
        for p in spec.params:
            assert p.minimum <= p.default <= p.maximum, (spec.name, p)


def test_presets_are_the_studys_seven():
    assert LOSS_PRESETS == {
        "equal": {"ce_weight": 1.0, "dice_weight": 1.0, "focal_weight": 1.0},
        "ce_dominant": {"ce_weight": 1.0, "dice_weight": 0.5, "focal_weight": 0.5},
        "dice_dominant": {"ce_weight": 0.5, "dice_weight": 1.0, "focal_weight": 0.5},
        "focal_dominant": {"ce_weight": 0.5, "dice_weight": 0.5, "focal_weight": 1.0},
        "ce_only": {"ce_weight": 1.0, "dice_weight": 0.0, "focal_weight": 0.0},
        "dice_only": {"ce_weight": 0.0, "dice_weight": 1.0, "focal_weight": 0.0},
        "focal_only": {"ce_weight": 0.0, "dice_weight": 0.0, "focal_weight": 1.0},
    }
    loss = build_loss("combo", "multiclass", 3, preset="ce_dominant")
    assert loss.weights == {"ce": 1.0, "dice": 0.5, "focal": 0.5}
    assert build_loss("combo", "multiclass", 3, ce_weight=2.0, dice_weight=0.0, focal_weight=0.3).weights == {
        "ce": 2.0,
        "focal": 0.3,
    }


def test_unknown_names_parameters_and_presets_list_the_valid_ones():
    with pytest.raises(ValueError, match="valid multiclass losses: dice_ce, ce, dice, focal"):
        build_loss("lovasz", "multiclass", 3)
    with pytest.raises(ValueError, match="valid: ce_weight, dice_weight, ignore_index, class_weights"):
        build_loss("dice_ce", "multiclass", 3, gamma=2.0)
    with pytest.raises(ValueError, match="valid presets: equal, ce_dominant"):
        build_loss("combo", "multiclass", 3, preset="best")
    with pytest.raises(ValueError, match="Binary losses take 2 classes"):
        build_loss("bce", "binary", 3)
    with pytest.raises(ValueError, match="Unknown mode 'multi'"):
        available_losses("multi")


def test_tversky_warns_when_alpha_and_beta_do_not_sum_to_one():
    with pytest.warns(UserWarning, match="alpha \\+ beta = 1.2"):
        build_loss("tversky", "multiclass", 3, alpha=0.5, beta=0.7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_loss("tversky", "multiclass", 3, alpha=0.4, beta=0.6)


def test_every_loss_is_documented():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "losses.md").read_text(encoding="utf-8")
    for spec in available_losses("multiclass"):
        assert f"`{spec.name}`" in text, spec.name
        binary = convert_loss_name(spec.name, "binary")
        assert f"`{binary}`" in text or binary == f"binary_{spec.name}", binary
