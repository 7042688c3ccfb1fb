"""``build_loss``: catalog entry + parameters -> torch module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn

from .catalog import loss_spec
from .combined import WeightedSum
from .cross_entropy import BCELoss, CrossEntropyLoss
from .dice import DiceLoss

COMMON_PARAMS = ("ignore_index",)

_BUILDERS: dict[str, Callable[..., nn.Module]] = {
    "bce": lambda p: BCELoss(p["ignore_index"]),
    "binary_dice": lambda p: DiceLoss(True, p["ignore_index"]),
    "binary_dice_bce": lambda p: WeightedSum(
        {
            "bce": (p["bce_weight"], BCELoss(p["ignore_index"])),
            "dice": (p["dice_weight"], DiceLoss(True, p["ignore_index"])),
        }
    ),
    "ce": lambda p: CrossEntropyLoss(p["ignore_index"]),
    "dice": lambda p: DiceLoss(False, p["ignore_index"]),
    "dice_ce": lambda p: WeightedSum(
        {
            "ce": (p["ce_weight"], CrossEntropyLoss(p["ignore_index"])),
            "dice": (p["dice_weight"], DiceLoss(False, p["ignore_index"])),
        }
    ),
}


def build_loss(name: str, mode: str, num_classes: int, **params: Any) -> nn.Module:
    """Build loss ``name`` of ``mode`` for ``num_classes`` classes.

    ``params`` may set the loss's own parameters (see ``available_losses``) and ``ignore_index``
    (default 255). Unknown names or parameters raise a ValueError listing the valid ones.
    """
    spec = loss_spec(name, mode)
    if mode == "binary" and num_classes != 2:
        raise ValueError(f"Binary losses take 2 classes (background, foreground), got {num_classes}.")
    valid = [p.name for p in spec.params] + list(COMMON_PARAMS)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(f"Unknown parameter(s) {', '.join(unknown)} for loss {name!r}; valid: {', '.join(valid)}.")
    values = {p.name: p.default for p in spec.params} | {"ignore_index": 255} | params
    return _BUILDERS[name](values)
