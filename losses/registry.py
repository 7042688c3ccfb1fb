"""``build_loss``: a catalog entry and its parameters -> a torch module."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

from .base import DEFAULT_IGNORE_INDEX, SegmentationLoss
from .boundary import BoundaryLoss, HausdorffDTLoss
from .catalog import loss_spec
from .cldice import ClDiceLoss
from .combined import FocalPlusTverskyLoss, ProductLoss, TaghanakiComboLoss, WeightedTermsLoss
from .cross_entropy import CrossEntropyLoss, DistanceWeightedCrossEntropyLoss, TopKCrossEntropyLoss
from .dice import DiceLoss, GeneralizedDiceLoss, LogCoshDiceLoss
from .exp_log import ExpLogLoss
from .focal import DualFocalLoss, FocalLoss
from .jaccard import JaccardLoss
from .lovasz import LovaszLoss
from .mcc import MCCLoss
from .presets import LOSS_PRESETS
from .sensitivity_specificity import SensitivitySpecificityLoss
from .tversky import TverskyLoss
from .unified_focal import UnifiedFocalLoss

_FAMILIES: dict[str, Callable[..., SegmentationLoss]] = {
    "cross_entropy": CrossEntropyLoss,
    "topk_ce": TopKCrossEntropyLoss,
    "distance_ce": DistanceWeightedCrossEntropyLoss,
    "focal": FocalLoss,
    "dual_focal": DualFocalLoss,
    "dice": DiceLoss,
    "log_cosh_dice": LogCoshDiceLoss,
    "generalized_dice": GeneralizedDiceLoss,
    "tversky": TverskyLoss,
    "focal_plus_tversky": FocalPlusTverskyLoss,
    "jaccard": JaccardLoss,
    "lovasz": LovaszLoss,
    "sensitivity_specificity": SensitivitySpecificityLoss,
    "exp_log": ExpLogLoss,
    "mcc": MCCLoss,
    "weighted_terms": WeightedTermsLoss,
    "product": ProductLoss,
    "taghanaki_combo": TaghanakiComboLoss,
    "unified_focal": functools.partial(UnifiedFocalLoss, symmetric=False),
    "symmetric_unified_focal": functools.partial(UnifiedFocalLoss, symmetric=True),
    "boundary": BoundaryLoss,
    "hausdorff_dt": HausdorffDTLoss,
    "cldice": ClDiceLoss,
}
COMMON_PARAMS = ("ignore_index", "class_weights")
PRESET_WEIGHTS = ("ce_weight", "dice_weight", "focal_weight")  # a loss with these three takes ``preset``
_RENAMED = {"bce_weight": "ce_weight"}  # binary spelling -> implementation argument


def build_loss(name: str, mode: str, num_classes: int, **params: Any) -> SegmentationLoss:
    """Build loss ``name`` of ``mode`` for ``num_classes`` classes (binary: 2, background and foreground).

    ``params`` may set the loss's own parameters (see ``available_losses``) within the ranges of their
    ``ParamSpec``, ``ignore_index`` (default 255), ``class_weights`` (one positive weight per class)
    and, for ``combo``/``binary_combo`` only, ``preset`` (a name of ``LOSS_PRESETS``). Unknown names,
    parameters the loss does not use and values outside the ranges raise a ValueError that lists
    the valid ones.
    """
    spec = loss_spec(name, mode)
    if mode == "binary" and num_classes != 2:
        raise ValueError(f"Binary losses take 2 classes (background, foreground), got {num_classes}.")
    if mode == "multiclass" and num_classes < 2:
        raise ValueError(f"Multiclass losses need at least 2 classes, got {num_classes}.")
    values = spec.defaults()
    takes_preset = all(weight in values for weight in PRESET_WEIGHTS)
    if "preset" in params and takes_preset:
        values.update(_preset(params.pop("preset")))
    valid = [*values, *COMMON_PARAMS]
    unknown = sorted(set(params) - set(valid))
    if unknown:
        extra = ", preset" if takes_preset else ""
        raise ValueError(
            f"Unknown parameter(s) {', '.join(unknown)} for loss {name!r}; valid: {', '.join(valid)}{extra}."
        )
    by_name = {p.name: p for p in spec.params}
    for key, value in params.items():
        if key in by_name:
            by_name[key].check(value, name)
    _check_class_weights(params.get("class_weights"))
    values.update(params)
    kwargs = {_RENAMED.get(k, k): v for k, v in values.items()}
    kwargs.setdefault("ignore_index", DEFAULT_IGNORE_INDEX)
    return _FAMILIES[spec.family](mode == "binary", num_classes, **kwargs)


def _check_class_weights(weights: Any) -> None:
    """Class weights must be finite and positive: a class of weight 0 could be predicted anywhere for free."""
    if weights is None:
        return
    try:
        positive = all(math.isfinite(float(w)) and float(w) > 0 for w in weights)
    except (TypeError, ValueError):
        positive = False
    if not positive:
        raise ValueError(
            f"class_weights must be finite positive numbers, got {list(weights)}; "
            "to leave pixels out of the loss, label them with ignore_index."
        )


def _preset(name: str) -> dict[str, float]:
    try:
        return LOSS_PRESETS[name]
    except KeyError:
        raise ValueError(f"Unknown preset {name!r}; valid presets: {', '.join(LOSS_PRESETS)}.") from None
