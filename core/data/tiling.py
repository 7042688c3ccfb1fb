"""Tile windows over a raster and the spatial train/validation split.

The split is by spatial blocks so that no validation pixel lies inside or under a training tile:
the image is cut into square blocks of two tiles a side (``block_tiles``); a seeded random share of
the blocks is reserved for validation and, for a loss comparison, another share for the test set
(the data its verdict is computed on, never used for training or selection). A tile whose pixels
all lie in blocks of one set belongs to that set, and a tile straddling two sets is dropped. With
overlapping tiles (stride < tile size) this still holds: overlap only ever joins tiles of one set.

Given each tile's labelled pixels per class, the draw is stratified: every class labelled in two blocks
or more gets a block on each side (sparse labels: a few polygons per class), even when that holds out
more blocks than the fraction asks; a class labelled in a single block stays on the training side.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rasterio.windows import Window

from ..common.config import TrainConfig
from ..common.errors import UserError
from ..common.schema import settings_of


def tile_offsets(length: int, tile: int, stride: int, flush: bool = True) -> list[int]:
    """Offsets of tiles of size ``tile`` covering ``length`` pixels.

    ``flush``: the last tile ends at the raster's edge (no padding); otherwise tiles continue on the
    stride grid and the last one reaches past the edge (padded on read), which keeps tiles aligned
    with the split blocks on small rasters. A raster shorter than one tile gets one padded tile.
    """
    if length <= tile:
        return [0]
    if not flush:
        return (
            list(range(0, length - tile + stride, stride))
            if (length - tile) % stride
            else list(range(0, length - tile + 1, stride))
        )
    offsets = list(range(0, length - tile + 1, stride))
    if offsets[-1] != length - tile:
        offsets.append(length - tile)
    return offsets


MIN_TILE = 32


def tile_sizes(tile: int) -> list[int]:
    """The tile sizes a training run tries, largest first: ``tile``, then halved (to a multiple of ``MIN_TILE``)
    while the raster or its labelled area is too small for a split."""
    sizes = []
    while tile >= MIN_TILE:
        sizes.append(tile)
        tile = (tile // 2) // MIN_TILE * MIN_TILE
    return sizes


def tile_windows(width: int, height: int, tile: int, stride: int, flush: bool = True) -> list[Window]:
    return [
        Window(col, row, tile, tile)
        for row in tile_offsets(height, tile, stride, flush)
        for col in tile_offsets(width, tile, stride, flush)
    ]


class SplitTooSmallError(UserError):
    """The labelled area holds too few tiles or blocks for the split (smaller tiles may do)."""


@dataclass(frozen=True)
class Split:
    train: list[Window]
    validation: list[Window]
    validation_blocks: frozenset[tuple[int, int]]  # (block row, block column)
    block_size: int
    test: list[Window] = field(default_factory=list)  # held out for a comparison's verdict only
    test_blocks: frozenset[tuple[int, int]] = frozenset()

    def block_of(self, window: Window) -> tuple[int, int]:
        """The block holding ``window``'s centre: the test set's statistical unit."""
        row = int(window.row_off + window.height // 2) // self.block_size
        col = int(window.col_off + window.width // 2) // self.block_size
        return row, col


def _blocks_of(window: Window, block: int) -> set[tuple[int, int]]:
    rows = range(int(window.row_off) // block, (int(window.row_off + window.height) - 1) // block + 1)
    cols = range(int(window.col_off) // block, (int(window.col_off + window.width) - 1) // block + 1)
    return {(r, c) for r in rows for c in cols}


BLOCK_TILES = settings_of(TrainConfig)["block_tiles"].default  # a split block's side, in tiles


Block = tuple[int, int]  # (block row, block column)


def spatial_split(
    windows: list[Window],
    tile: int,
    val_fraction: float,
    seed: int,
    block_tiles: int = BLOCK_TILES,
    counts: Sequence[np.ndarray] | None = None,
) -> Split:
    """Split tiles into training and validation by spatial blocks (see the module docstring). With ``counts``
    (each tile's labelled pixels per class), every class labelled in two blocks or more is given blocks on
    both sides (``held_out_blocks``)."""
    block = block_tiles * tile
    all_blocks = sorted(set().union(*(_blocks_of(w, block) for w in windows)))
    if len(windows) < 2 or len(all_blocks) < 2:
        raise SplitTooSmallError(
            "The labelled area holds fewer than two tiles, too few for a training/validation split: "
            "use a smaller tile size or a larger labelled area."
        )
    drawn = _draw_blocks(windows, all_blocks, block, val_fraction, seed, counts)
    if drawn:
        chosen, train, validation = drawn
        return Split(train, validation, chosen, block)
    raise UserError(
        "Could not find a spatial split with both training and validation tiles: "
        "use a smaller tile size or a larger labelled area."
    )


def hold_out_test(
    split: Split,
    tile: int,
    fraction: float,
    seed: int,
    block_tiles: int = BLOCK_TILES,
    counts: Sequence[np.ndarray] | None = None,
) -> Split:
    """Move a seeded random ``fraction`` of the training side's blocks into a test set: the tiles
    wholly inside them become test tiles, tiles straddling test and training blocks are dropped.
    Validation is left as it is (its tiles touch no training block, so none of these). ``counts``: the
    training tiles' labelled pixels per class, to stratify as ``spatial_split`` does."""
    block = block_tiles * tile
    blocks = sorted(set().union(*(_blocks_of(w, block) for w in split.train)))
    if len(blocks) < 2:
        raise SplitTooSmallError(
            "The training area holds fewer than two blocks, too few to hold out a test set: "
            "use a smaller tile size or a larger labelled area."
        )
    drawn = _draw_blocks(split.train, blocks, block, fraction, seed, counts)
    if drawn:
        held_out, train, test = drawn
        return dataclasses.replace(split, train=train, block_size=block, test=test, test_blocks=held_out)
    raise UserError(
        "Could not hold out a test set with both training and test tiles: "
        "use a smaller tile size or a larger labelled area."
    )


def _draw_blocks(
    windows: list[Window],
    blocks: list[Block],
    block: int,
    fraction: float,
    seed: int,
    counts: Sequence[np.ndarray] | None,
) -> tuple[frozenset[Block], list[Window], list[Window]] | None:
    """Up to 100 seeded draws of ``fraction`` of ``blocks`` (by class with ``counts``): the first that leaves
    tiles on both sides, as (drawn blocks, tiles touching none of them, tiles wholly inside them); None when
    every draw failed."""
    rng = random.Random(seed)
    count = _share(len(blocks), fraction)
    classes = block_classes(windows, counts, block) if counts is not None else {}
    for _ in range(100):
        drawn = held_out_blocks(rng.sample(blocks, len(blocks)), count, classes)
        outside = [w for w in windows if not (_blocks_of(w, block) & drawn)]
        inside = [w for w in windows if _blocks_of(w, block) <= drawn]
        if outside and inside:
            return drawn, outside, inside
    return None


def block_classes(windows: list[Window], counts: Sequence[np.ndarray], block: int) -> dict[Block, set[int]]:
    """The classes labelled in each block, from the labelled pixels per class (``counts``) of the tiles wholly
    inside it (a tile straddling blocks can only ever be a training tile)."""
    classes: dict[Block, set[int]] = defaultdict(set)
    for window, count in zip(windows, counts):
        blocks = _blocks_of(window, block)
        if len(blocks) == 1:
            classes[blocks.pop()] |= set(np.flatnonzero(count).tolist())
    return dict(classes)


def held_out_blocks(order: list[Block], count: int, classes: dict[Block, set[int]]) -> frozenset[Block]:
    """The blocks to hold out from ``order`` (a seeded permutation): first, for each class labelled in two
    blocks or more (the rarest first) and not yet held out, its first block in ``order``; then more blocks in
    ``order`` up to ``count``. A block is never held out when it holds a class's last block left for training
    (unless every block does: then the first ``count``), so more than ``count`` blocks are held out only when
    the classes need it."""
    total = Counter(c for b in order for c in classes.get(b, ()))
    left, held = total.copy(), []

    def hold(b: Block) -> None:
        if b not in held and all(left[c] > 1 for c in classes.get(b, ())):
            held.append(b)
            left.subtract(classes.get(b, ()))

    for c in sorted((c for c in total if total[c] > 1), key=lambda c: (total[c], c)):
        for b in (b for b in order if c in classes.get(b, ())):
            if any(c in classes.get(h, ()) for h in held):
                break
            hold(b)
    for b in order:
        if len(held) >= count:
            break
        hold(b)
    # every block holds some class's only labels: hold out as many as asked (the run warns which class is lost)
    return frozenset(held or order[:count])


def _share(blocks: int, fraction: float) -> int:
    """How many of ``blocks`` make ``fraction`` of them: at least one, and at least one left over."""
    return min(blocks - 1, max(1, round(blocks * fraction)))


def area_split(windows: list[Window], inside_fraction: list[float]) -> Split:
    """Split by a validation area: tiles wholly inside are validation, tiles wholly outside training."""
    train = [w for w, f in zip(windows, inside_fraction) if f == 0.0]
    validation = [w for w, f in zip(windows, inside_fraction) if f == 1.0]
    if not train or not validation:
        side = "inside" if not validation else "outside"
        raise UserError(
            f"No tile lies wholly {side} the validation area: make the validation area "
            f"{'larger' if not validation else 'smaller'}, or use a smaller tile size."
        )
    return Split(train, validation, frozenset(), 0)
