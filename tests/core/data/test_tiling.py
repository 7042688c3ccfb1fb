"""Tile windows cover the raster; the spatial split never lets a validation pixel under a training tile."""

from __future__ import annotations

import numpy as np
import pytest

from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.data.tiling import (
    SplitTooSmallError,
    area_split,
    hold_out_test,
    spatial_split,
    tile_offsets,
    tile_windows,
)


@pytest.mark.parametrize(
    ("length", "tile", "stride", "expected"),
    [
        (256, 64, 64, [0, 64, 128, 192]),
        (250, 64, 64, [0, 64, 128, 186]),  # the last tile is flush with the end
        (100, 64, 32, [0, 32, 36]),
        (40, 64, 64, [0]),  # shorter than a tile: one padded tile
    ],
)
def test_tile_offsets(length, tile, stride, expected):
    assert tile_offsets(length, tile, stride) == expected


@pytest.mark.parametrize(("tile", "stride"), [(128, 128), (128, 64), (64, 32), (96, 40)])
def test_split_has_no_leak_and_uses_tiles(tile, stride):
    width, height = 489, 443  # the land-cover sample's size
    windows = tile_windows(width, height, tile, stride)
    split = spatial_split(windows, tile, 0.25, seed=42)
    assert split.train and split.validation
    train_cover = np.zeros((height, width), dtype=bool)
    val_cover = np.zeros((height, width), dtype=bool)
    for cover, tiles in ((train_cover, split.train), (val_cover, split.validation)):
        for w in tiles:
            cover[int(w.row_off) : int(w.row_off + w.height), int(w.col_off) : int(w.col_off + w.width)] = True
    assert not (train_cover & val_cover).any()
    dropped = len(windows) - len(split.train) - len(split.validation)
    assert dropped < len(windows) / 2


def test_split_is_seeded():
    windows = tile_windows(489, 443, 64, 64)
    assert spatial_split(windows, 64, 0.2, 1) == spatial_split(windows, 64, 0.2, 1)
    assert spatial_split(windows, 64, 0.2, 1) != spatial_split(windows, 64, 0.2, 2)


def test_split_needs_two_blocks():
    with pytest.raises(UserError, match="fewer than two tiles"):
        spatial_split(tile_windows(100, 100, 64, 64), 64, 0.2, 0)


@pytest.mark.parametrize(("tile", "stride", "block_tiles"), [(64, 64, 1), (64, 32, 2), (32, 32, 2)])
def test_held_out_test_set_shares_no_pixel_with_training_or_validation(tile, stride, block_tiles):
    width, height = 489, 443
    split = spatial_split(tile_windows(width, height, tile, stride), tile, 0.2, 42, block_tiles)
    held = hold_out_test(split, tile, 0.25, 42, block_tiles)
    assert held.validation == split.validation and held.test and held.train
    covers = {}
    for name, tiles in (("train", held.train), ("validation", held.validation), ("test", held.test)):
        cover = np.zeros((height, width), dtype=bool)
        for w in tiles:
            cover[int(w.row_off) : int(w.row_off + w.height), int(w.col_off) : int(w.col_off + w.width)] = True
        covers[name] = cover
    assert not (covers["train"] & covers["test"]).any() and not (covers["validation"] & covers["test"]).any()
    # every test tile's unit is a held-out block, and the blocks are disjoint from validation's
    assert {held.block_of(w) for w in held.test} <= held.test_blocks
    assert not held.test_blocks & held.validation_blocks
    assert hold_out_test(split, tile, 0.25, 42, block_tiles) == held  # seeded


def test_hold_out_test_needs_two_training_blocks():
    split = spatial_split(tile_windows(128, 64, 64, 64), 64, 0.5, 0, block_tiles=1)
    with pytest.raises(SplitTooSmallError, match="too few to hold out a test set"):
        hold_out_test(split, 64, 0.25, 0, block_tiles=1)


def test_a_validation_area_split_can_hold_out_a_test_set_too():
    windows = tile_windows(489, 443, 64, 64)
    inside = [1.0 if w.col_off >= 320 else 0.0 for w in windows]  # the validation area: the right side
    held = hold_out_test(area_split(windows, inside), 64, 0.25, 7, block_tiles=1)
    assert held.validation == [w for w, f in zip(windows, inside) if f == 1.0]
    assert held.test and held.train and not set(map(str, held.test)) & set(map(str, held.train + held.validation))
    assert held.block_size == 64 and {held.block_of(w) for w in held.test} == held.test_blocks
