"""The loss catalog and the first losses: semantics of ignore_index, minima, reference values."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from segmentation_trainer.losses import available_losses, build_loss, convert_loss_name

torch.manual_seed(0)


def random_batch(num_classes: int, binary: bool = False, ignore_share: float = 0.2):
    channels = 1 if binary else num_classes
    logits = torch.randn(2, channels, 16, 16, dtype=torch.float64, requires_grad=True)
    target = torch.randint(0, 2 if binary else num_classes, (2, 16, 16))
    target[torch.rand(2, 16, 16) < ignore_share] = 255
    return logits, target


@pytest.mark.parametrize("mode", ["binary", "multiclass"])
def test_catalog_lists_the_modes_losses_default_first(mode):
    names = [spec.name for spec in available_losses(mode)]
    assert names[0] == {"binary": "binary_dice_bce", "multiclass": "dice_ce"}[mode]
    assert all(spec.description and spec.scenario for spec in available_losses(mode))


@pytest.mark.parametrize(
    ("binary", "multiclass"), [("binary_dice_bce", "dice_ce"), ("bce", "ce"), ("binary_dice", "dice")]
)
def test_auto_conversion_both_ways(binary, multiclass):
    assert convert_loss_name(binary, "multiclass") == multiclass
    assert convert_loss_name(multiclass, "binary") == binary
    assert convert_loss_name(binary, "binary") == binary


def test_unknown_names_and_parameters_list_the_valid_ones():
    with pytest.raises(ValueError, match="valid multiclass losses: dice_ce, ce, dice"):
        build_loss("lovasz", "multiclass", 3)
    with pytest.raises(ValueError, match="valid: ce_weight, dice_weight, ignore_index"):
        build_loss("dice_ce", "multiclass", 3, gamma=2.0)


def test_ce_matches_torch_with_ignore_index():
    logits, target = random_batch(4)
    expected = F.cross_entropy(logits, target, ignore_index=255)
    assert torch.allclose(build_loss("ce", "multiclass", 4)(logits, target).double(), expected)


def test_bce_matches_torch_on_valid_pixels():
    logits, target = random_batch(2, binary=True)
    valid = target != 255
    expected = F.binary_cross_entropy_with_logits(logits[:, 0][valid], target[valid].double())
    assert torch.allclose(build_loss("bce", "binary", 2)(logits, target).double(), expected)


@pytest.mark.parametrize(
    ("name", "mode"),
    [("dice", "multiclass"), ("binary_dice", "binary"), ("dice_ce", "multiclass"), ("binary_dice_bce", "binary")],
)
def test_ignored_pixels_take_no_part(name, mode):
    binary = mode == "binary"
    logits, target = random_batch(3, binary)
    loss = build_loss(name, mode, 2 if binary else 3)
    changed = logits.detach().clone()
    changed[(target == 255).unsqueeze(1).expand_as(changed)] = 50.0
    assert torch.allclose(loss(logits, target), loss(changed, target))


@pytest.mark.parametrize(("name", "mode"), [("dice", "multiclass"), ("binary_dice", "binary")])
def test_perfect_predictions_reach_the_minimum(name, mode):
    binary = mode == "binary"
    _, target = random_batch(3, binary)
    valid = target != 255
    safe = torch.where(valid, target, 0)
    logits = (F.one_hot(safe, 2 if binary else 3).permute(0, 3, 1, 2).double() * 2 - 1) * 40
    if binary:
        logits = logits[:, 1:]
    assert build_loss(name, mode, 2 if binary else 3)(logits, target) < 1e-6


@pytest.mark.parametrize(("name", "mode"), [("dice_ce", "multiclass"), ("binary_dice_bce", "binary")])
def test_an_all_ignored_batch_gives_zero_and_finite_gradients(name, mode):
    binary = mode == "binary"
    logits, target = random_batch(3, binary, ignore_share=1.1)
    value = build_loss(name, mode, 2 if binary else 3)(logits, target)
    value.backward()
    assert value.item() == 0.0 and torch.isfinite(logits.grad).all()


def test_dice_ce_is_the_weighted_sum_of_its_terms():
    logits, target = random_batch(5)
    combined = build_loss("dice_ce", "multiclass", 5, ce_weight=0.3, dice_weight=2.0)(logits, target)
    parts = 0.3 * build_loss("ce", "multiclass", 5)(logits, target) + 2.0 * build_loss("dice", "multiclass", 5)(
        logits, target
    )
    assert torch.allclose(combined, parts)
