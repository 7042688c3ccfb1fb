"""Weights for blending overlapping tile predictions in probability space.

Neighbouring tiles share ``margin`` pixels. Each tile's class probabilities are multiplied by a
weight map that is low at the tile's edges, where the network lacks context, and high inside; the
blended probability of a pixel is the weighted mean over the tiles that cover it, so that the
tile whose inside a pixel is counts more, and no seam appears at tile borders. Maps are outer
products of one weight profile per axis (tiles may be rectangular).

- ``linear``: a ramp from the edge to ``margin`` pixels inside, 1 beyond (the default);
- ``gaussian``: ``exp(-d² / 2σ²)`` with d the distance to the tile centre and σ = tile / 8, as in
  MONAI's and nnU-Net's sliding-window inference, floored at 1e-3 so that raster edges covered by
  one tile keep a weight; made for overlaps of a share of the tile, it weighs a narrow margin
  almost evenly;
- ``none``: every pixel weighs 1 (plain average of the overlapping tiles).
"""

from __future__ import annotations

import numpy as np

MIN_WEIGHT = 1e-3


def axis_weights(length: int, margin: int, kind: str) -> np.ndarray:
    """The weight profile ``(length,)`` of a tile along one axis, largest 1."""
    if kind == "none" or (kind == "linear" and margin <= 0):
        return np.ones(length)
    coords = np.arange(length, dtype=np.float64)
    if kind == "gaussian":
        centre, sigma = (length - 1) / 2.0, length / 8.0
        return np.exp(-((coords - centre) ** 2) / (2 * sigma**2))
    distance = np.minimum(coords, length - 1 - coords) + 1.0
    return np.clip(distance / margin, 0.0, 1.0)


def blend_weights(height: int, width: int, margin: int, kind: str) -> np.ndarray:
    """``(height, width)`` float32 weights of a tile whose neighbours share ``margin`` pixels with it."""
    weights = np.outer(axis_weights(height, margin, kind), axis_weights(width, margin, kind))
    return np.maximum(weights / weights.max(), MIN_WEIGHT).astype(np.float32)
