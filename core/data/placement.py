"""Training tiles placed where the labels are, for sparse labels (a few polygons on a large scene).

The raster is cut into the split's square blocks (``block`` pixels a side). In each block, tiles are
centred on labelled pixels with a seeded random offset until every labelled pixel of the block lies
in a tile (within ``stride`` of a tile's chosen pixel, so a smaller stride gives more, overlapping
tiles). Every tile lies inside its block (a block cut by the raster's edge pads its tiles past the
edge), so the spatial split by blocks keeps validation pixels out of every training tile.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rasterio.windows import Window

from ..common.config import IGNORE_INDEX

ReadLabels = Callable[[Window], np.ndarray]


def label_windows(
    read_labels: ReadLabels, width: int, height: int, tile: int, stride: int, block: int, seed: int
) -> list[Window]:
    """Tiles of side ``tile`` covering every labelled pixel of a ``width`` x ``height`` raster, each inside
    one block; ``read_labels(window)`` gives class indices with ``IGNORE_INDEX`` where unlabelled.
    Seeded per block: a block's tiles depend only on ``seed``, its position and its labels."""
    windows = []
    for row in range(0, height, block):
        for col in range(0, width, block):
            area = Window(col, row, min(block, width - col), min(block, height - row))
            labelled = read_labels(area) != IGNORE_INDEX
            if labelled.any():
                rng = np.random.default_rng([seed, row, col])
                windows += [Window(c, r, tile, tile) for r, c in _cover(labelled, (row, col), tile, stride, rng)]
    return windows


def _cover(
    labelled: np.ndarray, origin: tuple[int, int], tile: int, stride: int, rng: np.random.Generator
) -> list[tuple[int, int]]:
    """Tile offsets (row, column) in the raster whose tiles cover every ``True`` pixel of ``labelled`` (a
    block whose top-left pixel is at ``origin``): an uncovered pixel is drawn, a tile placed on it, and the
    pixels within ``stride`` / 2 of it inside that tile count as covered, until none is left."""
    uncovered = labelled.copy()
    height, width = labelled.shape
    half = max(1, stride // 2)
    placed: dict[tuple[int, int], None] = {}  # insertion-ordered, without repeats
    while uncovered.any():
        pixels = np.flatnonzero(uncovered)
        row, col = divmod(int(pixels[rng.integers(pixels.size)]), width)
        top, left = _place(row, height, tile, rng), _place(col, width, tile, rng)
        placed[(origin[0] + top, origin[1] + left)] = None
        rows = slice(max(top, row - half), min(top + tile, row + half + 1))
        cols = slice(max(left, col - half), min(left + tile, col + half + 1))
        uncovered[rows, cols] = False
    return list(placed)


def _place(pixel: int, length: int, tile: int, rng: np.random.Generator) -> int:
    """A tile's start in a block ``length`` long: centred on ``pixel`` give or take a quarter tile, then moved
    inside the block (at its start when the block is shorter than a tile). The tile always holds ``pixel``."""
    start = pixel - tile // 2 + int(rng.integers(-(tile // 4), tile // 4 + 1))
    return max(0, min(start, length - tile))
