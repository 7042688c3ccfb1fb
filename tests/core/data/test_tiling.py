"""Tile windows cover the raster; the spatial split never lets a validation pixel under a training tile."""

from __future__ import annotations

import numpy as np
import pytest
from rasterio.windows import Window

from segmentation_trainer.core.common.config import IGNORE_INDEX
from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.data.placement import label_windows
from segmentation_trainer.core.data.tiling import (
    SplitTooSmallError,
    _blocks_of,
    area_split,
    held_out_blocks,
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


def covers(tiles, height, width):
    cover = np.zeros((height, width), dtype=bool)
    for w in tiles:
        cover[int(w.row_off) : int(w.row_off + w.height), int(w.col_off) : int(w.col_off + w.width)] = True
    return cover


def label_reader(labels: np.ndarray):
    """``read_labels`` over a label array (windows may reach past its edge: unlabelled there)."""

    def read(window: Window) -> np.ndarray:
        padded = np.pad(labels, ((0, int(window.height)), (0, int(window.width))), constant_values=IGNORE_INDEX)
        return padded[window.toslices()]

    return read


def sparse_labels(height=443, width=489, seed=3) -> np.ndarray:
    """A few small rectangles of classes 0-3 on an unlabelled raster."""
    rng = np.random.default_rng(seed)
    labels = np.full((height, width), IGNORE_INDEX, dtype=np.uint8)
    for k in range(12):
        row, col = rng.integers(0, height - 10), rng.integers(0, width - 15)
        labels[row : row + int(rng.integers(1, 10)), col : col + int(rng.integers(1, 15))] = k % 4
    return labels


def test_one_labelled_pixel_gets_one_tile_holding_it_inside_its_block():
    labels = np.full((100, 100), IGNORE_INDEX, dtype=np.uint8)
    labels[50, 60] = 1
    (window,) = label_windows(label_reader(labels), 100, 100, 32, 32, 64, seed=0)
    assert (window.width, window.height) == (32, 32)
    assert window.row_off <= 50 < window.row_off + 32 and window.col_off <= 60 < window.col_off + 32
    assert 0 <= window.row_off and window.row_off + 32 <= 64 and 0 <= window.col_off and window.col_off + 32 <= 64


def test_a_block_narrower_than_a_tile_pads_its_tile_past_the_raster_edge():
    labels = np.full((40, 80), IGNORE_INDEX, dtype=np.uint8)
    labels[5, 70] = 0  # in the second 64 px block, which the raster cuts to 16 px
    (window,) = label_windows(label_reader(labels), 80, 40, 32, 32, 64, seed=0)
    assert (window.col_off, window.row_off) == (64, 0)


@pytest.mark.parametrize(("tile", "stride", "block_tiles"), [(64, 64, 2), (64, 32, 2), (32, 32, 1), (96, 96, 2)])
def test_tiles_on_the_labels_cover_every_labelled_pixel_and_split_without_leak(tile, stride, block_tiles):
    height, width = 443, 489
    labels = sparse_labels(height, width)
    windows = label_windows(label_reader(labels), width, height, tile, stride, block_tiles * tile, seed=42)
    assert (covers(windows, height, width) | (labels == IGNORE_INDEX)).all()  # every labelled pixel is in a tile
    assert all(len(_blocks_of(w, block_tiles * tile)) == 1 for w in windows)  # each tile inside one block
    assert label_windows(label_reader(labels), width, height, tile, stride, block_tiles * tile, seed=42) == windows
    counts = [np.bincount(label_reader(labels)(w).ravel(), minlength=IGNORE_INDEX + 1)[:4] for w in windows]
    split = spatial_split(windows, tile, 0.25, 42, block_tiles, counts)
    assert split.train and split.validation and len(split.train) + len(split.validation) == len(windows)
    assert not (covers(split.train, height, width) & covers(split.validation, height, width)).any()


def test_a_smaller_stride_places_more_overlapping_tiles():
    labels = np.zeros((256, 256), dtype=np.uint8)  # fully labelled
    dense = label_windows(label_reader(labels), 256, 256, 64, 32, 128, seed=1)
    sparse = label_windows(label_reader(labels), 256, 256, 64, 64, 128, seed=1)
    assert len(dense) > len(sparse) >= 16  # at least the 4 x 4 tiles a cover needs


def test_held_out_blocks_give_every_class_found_twice_a_block_on_each_side():
    # eight blocks, one class each, every class in two blocks: one block of each is held out
    classes = {(0, b): {b % 4} for b in range(8)}
    held = held_out_blocks(list(classes), 2, classes)
    assert len(held) == 4 and sorted(c for b in held for c in classes[b]) == [0, 1, 2, 3]
    # class 4 in one block only: it stays on the training side; more blocks are held out to reach the count
    classes[(1, 0)] = {4}
    held = held_out_blocks(list(classes), 6, classes)
    assert (1, 0) not in held and len(held) == 4  # only one block of each of classes 0-3 may go
    # class 0 in blocks A and B, class 1 only in A, class 2 only in B: no block can go without losing a class;
    # the first one is held out all the same (the run warns)
    classes = {"A": {0, 1}, "B": {0, 2}}
    assert held_out_blocks(["B", "A"], 1, classes) == {"B"}


def test_without_class_counts_the_draw_takes_the_asked_share():
    order = [(0, b) for b in range(10)]
    assert held_out_blocks(order, 3, {}) == frozenset(order[:3])


def test_a_stratified_grid_split_validates_the_classes_a_plain_draw_leaves_out():
    windows = tile_windows(512, 512, 64, 64)  # 4 x 4 blocks of 128 px
    counts = [np.zeros(3, dtype=np.int64) for _ in windows]
    rare = {(0, 0): 1, (448, 448): 1, (0, 448): 2, (448, 0): 2}  # classes 1 and 2 in two corner tiles each
    for i, w in enumerate(windows):
        counts[i][rare.get((w.col_off, w.row_off), 0)] = 100

    def sides(split):
        return [{int(np.flatnonzero(counts[windows.index(w)])[0]) for w in t} for t in (split.train, split.validation)]

    plain = [sides(spatial_split(windows, 64, 0.2, seed)) for seed in range(10)]
    assert any(s != [{0, 1, 2}, {0, 1, 2}] for s in plain)
    assert all(sides(spatial_split(windows, 64, 0.2, seed, counts=counts)) == [{0, 1, 2}] * 2 for seed in range(10))
