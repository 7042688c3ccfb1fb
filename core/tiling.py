"""Tile windows over a raster and the spatial train/validation split.

The split is by spatial blocks so that no validation pixel lies inside or under a training tile:
the image is cut into square blocks of two tiles a side; a seeded random share of the blocks is
reserved for validation. A tile whose pixels all lie in validation blocks is a validation tile, a
tile touching no validation block is a training tile, and a tile straddling both is dropped. With
overlapping tiles (stride < tile size) this still holds: overlap only ever joins tiles of one side.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from rasterio.windows import Window

from .errors import UserError


def tile_offsets(length: int, tile: int, stride: int) -> list[int]:
    """Offsets of tiles of size ``tile`` covering ``length`` pixels; the last one is flush with the end.

    A raster shorter than one tile gets a single tile at 0 that reaches past its end (padded on read).
    """
    if length <= tile:
        return [0]
    offsets = list(range(0, length - tile + 1, stride))
    if offsets[-1] != length - tile:
        offsets.append(length - tile)
    return offsets


def tile_windows(width: int, height: int, tile: int, stride: int) -> list[Window]:
    return [
        Window(col, row, tile, tile)
        for row in tile_offsets(height, tile, stride)
        for col in tile_offsets(width, tile, stride)
    ]


@dataclass(frozen=True)
class Split:
    train: list[Window]
    validation: list[Window]
    validation_blocks: frozenset[tuple[int, int]]  # (block row, block column)
    block_size: int


def _blocks_of(window: Window, block: int) -> set[tuple[int, int]]:
    rows = range(int(window.row_off) // block, (int(window.row_off + window.height) - 1) // block + 1)
    cols = range(int(window.col_off) // block, (int(window.col_off + window.width) - 1) // block + 1)
    return {(r, c) for r in rows for c in cols}


BLOCK_TILES = 2  # a split block is this many tiles a side: whole overlapping tiles fit inside one


def spatial_split(windows: list[Window], tile: int, val_fraction: float, seed: int) -> Split:
    """Split tiles into training and validation by spatial blocks (see the module docstring)."""
    block = BLOCK_TILES * tile
    all_blocks = sorted(set().union(*(_blocks_of(w, block) for w in windows)))
    if len(windows) < 2 or len(all_blocks) < 2:
        raise UserError(
            "The labelled area holds fewer than two tiles, too few for a training/validation split: "
            "use a smaller tile size or a larger labelled area."
        )
    rng = random.Random(seed)
    for _ in range(100):
        count = min(len(all_blocks) - 1, max(1, round(len(all_blocks) * val_fraction)))
        chosen = frozenset(rng.sample(all_blocks, count))
        train = [w for w in windows if not (_blocks_of(w, block) & chosen)]
        validation = [w for w in windows if _blocks_of(w, block) <= chosen]
        if train and validation:
            return Split(train, validation, chosen, block)
    raise UserError(
        "Could not find a spatial split with both training and validation tiles: "
        "use a smaller tile size or a larger labelled area."
    )
