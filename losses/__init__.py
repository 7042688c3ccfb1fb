"""Segmentation losses, binary and multiclass: see ``docs/losses.md``.

Public API::

    from segmentation_trainer.losses import build_loss, available_losses, convert_loss_name, LOSS_PRESETS

``available_losses``, ``convert_loss_name`` and ``LOSS_PRESETS`` use the standard library only
(the QGIS process calls them); ``build_loss`` imports torch when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .catalog import DEFAULT_LOSS, LossSpec, ParamSpec, available_losses, convert_loss_name, loss_spec
from .presets import LOSS_PRESETS

if TYPE_CHECKING:
    from torch import nn

__all__ = [
    "DEFAULT_LOSS",
    "LOSS_PRESETS",
    "LossSpec",
    "ParamSpec",
    "available_losses",
    "build_loss",
    "convert_loss_name",
    "loss_spec",
]


def build_loss(name: str, mode: str, num_classes: int, **params: Any) -> nn.Module:
    """The loss module ``name`` of ``mode``; see ``registry.build_loss``."""
    from .registry import build_loss as _build

    return _build(name, mode, num_classes, **params)
