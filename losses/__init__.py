"""Segmentation losses, binary and multiclass.

Public API::

    from segmentation_trainer.losses import build_loss, available_losses, convert_loss_name

``available_losses`` and ``convert_loss_name`` use the standard library only (the QGIS process
calls them); ``build_loss`` imports torch when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .catalog import LossSpec, ParamSpec, available_losses, convert_loss_name, loss_spec

if TYPE_CHECKING:
    import torch

__all__ = ["LossSpec", "ParamSpec", "available_losses", "build_loss", "convert_loss_name", "loss_spec"]


def build_loss(name: str, mode: str, num_classes: int, **params: Any) -> torch.nn.Module:
    """The loss module ``name`` of ``mode``; see ``registry.build_loss``."""
    from .registry import build_loss as _build

    return _build(name, mode, num_classes, **params)
