"""Weights for blending overlapping tile predictions in probability space.

Each tile's class probabilities are multiplied by a weight map that is high in the tile's centre
and low at its edges; the blended probability of a pixel is the weighted mean over the tiles that
cover it. Predictions near a tile edge, where the network lacks context, therefore count less than
those of the neighbouring tile whose centre is there, and no seam appears at tile borders.

- ``gaussian``: ``exp(-d² / 2σ²)`` with d the distance to the tile centre and σ = tile / 8, as in
  MONAI's and nnU-Net's sliding-window inference, floored at 1e-3 so that raster edges covered by
  one tile keep a weight;
- ``linear``: a ramp from the edge to ``overlap`` pixels inside, 1 beyond;
- ``none``: every pixel weighs 1 (plain average of the overlapping tiles).
"""

from __future__ import annotations

import numpy as np

MIN_WEIGHT = 1e-3


def blend_weights(tile: int, overlap_px: int, kind: str) -> np.ndarray:
    """``(tile, tile)`` float32 weights."""
    if kind == "none" or (kind == "linear" and overlap_px <= 0):
        return np.ones((tile, tile), dtype=np.float32)
    centre = (tile - 1) / 2.0
    coords = np.arange(tile, dtype=np.float64)
    if kind == "gaussian":
        sigma = tile / 8.0
        axis = np.exp(-((coords - centre) ** 2) / (2 * sigma**2))
    else:
        distance = np.minimum(coords, tile - 1 - coords) + 1.0
        axis = np.clip(distance / overlap_px, 0.0, 1.0)
    weights = np.outer(axis, axis)
    return np.maximum(weights / weights.max(), MIN_WEIGHT).astype(np.float32)
