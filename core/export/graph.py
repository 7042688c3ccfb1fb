"""The exported graph: a trained network with its input convention and normalization folded in.

Deepness feeds band values divided by 255 (``onnx_file.INPUT_SCALE``); the graph multiplies them back, marks the
pixels that are nodata (NaN, infinite, or the training raster's nodata value in any band: ``valid_pixels``'s
rule), normalizes with the model's band statistics, sets nodata pixels to 0 (``normalize``'s rule) and returns
class probabilities (``class_probabilities``). What the network sees is therefore what it sees in ``predict``,
whatever the raster's data type.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from ..models.networks import class_probabilities
from .onnx_file import INPUT_SCALE

NODATA_TOLERANCE = 1e-6
"""Relative: a value this close to the nodata value is nodata (the division by 255 and back rounds in float32)."""


class DeepnessGraph(nn.Module):
    """``network`` (in eval mode) taking Deepness's input and giving class probabilities; ``metadata``: its
    ``model.json`` (normalization, nodata, mode)."""

    def __init__(self, network: nn.Module, metadata: dict[str, Any]) -> None:
        super().__init__()
        self.network, self.mode = network, metadata["mode"]
        stats = metadata["normalization"]
        self.clip = stats.get("method", "mean_std") == "percentile"
        offset, high = (stats["low"], stats["high"]) if self.clip else (stats["mean"], None)
        scale = [h - low for h, low in zip(high, offset)] if self.clip else stats["std"]
        self.register_buffer("offset", _per_band(offset))
        self.register_buffer("scale", _per_band(scale))
        nodata = metadata.get("nodata")  # NaN or infinite: found by isfinite
        self.nodata = float(nodata) if nodata is not None and math.isfinite(nodata) else None
        self.tolerance = NODATA_TOLERANCE * max(1.0, abs(self.nodata)) if self.nodata is not None else 0.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raw = x * INPUT_SCALE
        invalid = ~torch.isfinite(raw).all(dim=1, keepdim=True)
        if self.nodata is not None:
            invalid = invalid | ((raw - self.nodata).abs() <= self.tolerance).any(dim=1, keepdim=True)
        normalized = (raw - self.offset) / self.scale
        if self.clip:
            normalized = normalized.clamp(0.0, 1.0)
        normalized = torch.where(invalid, torch.zeros_like(normalized), normalized)
        return class_probabilities(self.network(normalized), self.mode)


def _per_band(values: list[float]) -> torch.Tensor:
    """``(1, bands, 1, 1)`` float32, to broadcast over a batch of tiles."""
    return torch.tensor(values, dtype=torch.float32).view(1, -1, 1, 1)
