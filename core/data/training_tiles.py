"""A training run's tiles and split: where the tiles go, which have enough labels, the spatial split.

Tiles are placed on a grid (``tile_placement`` ``grid``) or on the labelled pixels (``labels``, for
sparse labels: a few polygons per class on a large scene); ``auto`` takes the grid unless its tiles
with enough labels miss a class or hold less than ``GRID_COVERAGE`` of the labelled pixels. The split
holds out spatial blocks so that every class labelled in two blocks or more is both trained and
validated; a warning names the classes that cannot be, and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rasterio.windows import Window
from scipy import ndimage

from ..common.config import IGNORE_INDEX, TrainConfig
from ..common.errors import UserError
from ..common.events import EventWriter
from .placement import label_windows
from .scenes import SceneStack
from .tiling import (
    Split,
    SplitTooSmallError,
    area_split,
    block_classes,
    hold_out_test,
    spatial_split,
    tile_sizes,
    tile_windows,
)

GRID_COVERAGE = 0.9
"""``auto`` placement: the grid when its tiles with enough labels hold this share of the labelled pixels."""


@dataclass
class Tiles:
    """Candidate tiles and what they hold."""

    windows: list[Window]
    counts: np.ndarray  # (tiles, classes): each tile's labelled pixels per class
    placement: str  # "grid" or "labels"
    how: str  # in words, for the log


@dataclass
class TiledSplit:
    """The split tiles and each side's labelled pixels per tile and class."""

    split: Split
    tile_size: int
    placement: str
    counts: dict[str, np.ndarray]  # "train", "validation", "test": (that side's tiles in order, classes)


def tile_and_split(config: TrainConfig, stack: SceneStack, test_fraction: float, events: EventWriter) -> TiledSplit:
    """Tiles of the rasters (``stack``) and their split; tiles shrink (and pad) when the rasters or the labelled
    area are too small."""
    attempts = []
    for tile in tile_sizes(config.tile_size):
        stride = max(1, min(config.stride, tile))
        for flush in (True, False):
            tiles = _placed_tiles(config, stack, (tile, stride, flush), events)
            try:
                split, how = _split(tiles, tile, stack, test_fraction, config)
            except SplitTooSmallError as exc:
                attempts.append(str(exc))
                if tiles.placement == "labels":  # no padded variant to try
                    break
                continue
            if tile != config.tile_size or not flush:
                events.log(
                    f"{stack.describe()} too small for a training/validation split with {config.tile_size} px "
                    f"tiles: using {tile} px tiles, padded at the edges.",
                    level="warning",
                )
            events.log(f"{tiles.how}: {len(split.train)} for training, {len(split.validation)} for validation ({how}).")
            sides = {"train": split.train, "validation": split.validation, "test": split.test}
            result = TiledSplit(split, tile, tiles.placement, {k: _counts_of(v, tiles) for k, v in sides.items()})
            _warn_missing_classes(result, tiles, stack, events)
            return result
    raise UserError(attempts[-1])


def _placed_tiles(config: TrainConfig, stack: SceneStack, layout: tuple[int, int, bool], events: EventWriter) -> Tiles:
    """The candidate tiles of ``layout`` (tile size, stride, flush): the grid's with enough labels, or tiles on
    the labelled pixels (``config.tile_placement``)."""
    tile, stride, flush = layout
    names = [c.name for c in stack.classes]
    if config.tile_placement != "labels":
        windows = stack.per_scene(lambda s: tile_windows(s.image.width, s.image.height, tile, stride, flush))
        counts = _labelled_pixels(stack, windows, len(names))
        kept = _enough_labels(config, counts, tile)
        missed = _grid_misses(counts, kept, names, tile, config.min_labelled_fraction)
        if config.tile_placement == "grid" or not missed:
            how = f"{len(windows)} tiles of {tile} px, {len(kept)} with enough labels"
            return Tiles([windows[i] for i in kept], counts[kept], "grid", how)
        events.log(f"{missed}: the tiles are placed on the labelled pixels instead.")
    block = config.block_tiles * tile
    windows = stack.per_scene(
        lambda s: label_windows(s.targets, s.image.width, s.image.height, tile, stride, block, config.seed)
    )
    if not windows:
        raise UserError(_nothing_labelled(config))
    how = f"{len(windows)} tiles of {tile} px on the labelled pixels"
    return Tiles(windows, _labelled_pixels(stack, windows, len(names)), "labels", how)


def _labelled_pixels(stack: SceneStack, windows: list[Window], num_classes: int) -> np.ndarray:
    """``(tiles, classes)``: each tile's labelled pixels per class."""
    counts = np.zeros((len(windows), num_classes), dtype=np.int64)
    for i, window in enumerate(windows):
        target = stack.read_raw(window)[2]
        counts[i] = np.bincount(target[target != IGNORE_INDEX], minlength=num_classes)[:num_classes]
    return counts


def _nothing_labelled(config: TrainConfig) -> str:
    return (
        f"No pixel of {', '.join(Path(r).name for r in config.raster)} is labelled: check that the labels cover "
        "the valid (non-nodata) area."
    )


def _enough_labels(config: TrainConfig, counts: np.ndarray, tile: int) -> np.ndarray:
    """The indices of the grid tiles with at least the minimum labelled fraction; none is an error only with
    the ``grid`` placement."""
    fractions = counts.sum(axis=1) / tile**2
    if fractions.max() == 0:
        raise UserError(_nothing_labelled(config))
    kept = np.flatnonzero(fractions >= config.min_labelled_fraction)
    if not kept.size and config.tile_placement == "grid":
        raise UserError(
            f"No {tile}-pixel tile has at least {config.min_labelled_fraction:.0%} labelled pixels "
            f"(the best has {fractions.max():.1%}): place the tiles on the labels, or lower the minimum labelled "
            "fraction or the tile size."
        )
    return kept


def _grid_misses(counts: np.ndarray, kept: np.ndarray, names: list[str], tile: int, fraction: float) -> str:
    """What the kept grid tiles miss, in words: all labels, some classes, or too many labelled pixels; empty
    when they hold enough."""
    total, held = counts.sum(axis=0), counts[kept].sum(axis=0)
    if not kept.size:
        best = counts.sum(axis=1).max() / tile**2
        return f"No {tile} px grid tile has at least {fraction:.0%} labelled pixels (the best has {best:.1%})"
    enough = f"The grid tiles of {tile} px with at least {fraction:.0%} labelled pixels ({len(kept)})"
    missing = [names[k] for k in np.flatnonzero((total > 0) & (held == 0))]
    if missing:
        return f"{enough} hold no pixel of {', '.join(missing)}"
    share = held.sum() / total.sum()
    return f"{enough} hold only {share:.0%} of the labelled pixels" if share < GRID_COVERAGE else ""


def _split(
    tiles: Tiles, tile: int, stack: SceneStack, test_fraction: float, config: TrainConfig
) -> tuple[Split, str]:
    """The split of the tiles (spatial blocks, or the validation area) and how it was made, in words."""
    if not stack.by_area:
        split = spatial_split(tiles.windows, tile, config.val_fraction, config.seed, config.block_tiles, tiles.counts)
        how = f"{len(split.validation_blocks)} spatial blocks of {config.block_tiles * tile} px held out"
    else:
        split = area_split(tiles.windows, [stack.validation_share(w) for w in tiles.windows])
        how = "validation tiles inside the validation area"
    if test_fraction:
        train_counts = _counts_of(split.train, tiles)
        split = hold_out_test(split, tile, test_fraction, config.seed, config.block_tiles, train_counts)
        how += f"; {len(split.test)} test tiles in {len(split.test_blocks)} blocks held out for the verdict"
    return split, how


def _counts_of(subset: list[Window], tiles: Tiles) -> np.ndarray:
    """``(len(subset), classes)``: the labelled pixels per class of the tiles of ``subset`` (tiles of ``tiles``)."""
    row_of = {(w.col_off, w.row_off): i for i, w in enumerate(tiles.windows)}
    rows = [row_of[(w.col_off, w.row_off)] for w in subset]
    return tiles.counts[rows].reshape(len(subset), tiles.counts.shape[1])


def _warn_missing_classes(result: TiledSplit, tiles: Tiles, stack: SceneStack, events: EventWriter) -> None:
    """A warning naming each labelled class without validation pixels, and one for those without training
    pixels, with the reason."""
    names, by_area = [c.name for c in stack.classes], stack.by_area
    labelled = tiles.counts.sum(axis=0) > 0
    train, validation = (result.counts[side].sum(axis=0) > 0 for side in ("train", "validation"))
    unvalidated = [_reason(k, result, tiles, stack) for k in np.flatnonzero(labelled & train & ~validation)]
    if unvalidated:
        its, them = ("Its", "it") if len(unvalidated) == 1 else ("Their", "them")
        events.log(
            f"No validation pixel for {'; '.join(unvalidated)}. {its} IoU cannot be measured: label {them} in places "
            f"further apart than a split block ({result.split.block_size} px), use a smaller split block side or "
            "tile size, or draw a validation area.",
            level="warning",
        )
    untrained = [names[k] for k in np.flatnonzero(labelled & ~train)]
    if untrained:
        where = (
            "the validation area holds all their tiles"
            if by_area
            else "every spatial block holds some class's only labels, and one had to be held out"
        )
        them = "it" if len(untrained) == 1 else "them"
        events.log(
            f"No training pixel for {', '.join(untrained)} ({where}): the model cannot learn {them}.", level="warning"
        )


def _reason(k: int, result: TiledSplit, tiles: Tiles, stack: SceneStack) -> str:
    """Why class ``k`` has no validation pixel, as ``name (reason)``."""
    name = stack.classes[k].name
    if stack.by_area:
        return f"{name} (the validation area holds none of its tiles)"
    size = result.split.block_size
    blocks = [b for b, classes in block_classes(tiles.windows, tiles.counts, size).items() if k in classes]
    if not blocks:
        return f"{name} (all its tiles straddle two spatial blocks, so none can be held out)"
    if len(blocks) > 1:
        return f"{name} (each of its {len(blocks)} spatial blocks holds another class's last training pixels)"
    row, col = blocks[0]
    patches = ndimage.label(stack.read_raw(Window(col * size, row * size, size, size))[2] == k, np.ones((3, 3)))[1]
    if patches == 1:
        return f"{name} (all its labelled pixels are in one polygon or patch)"
    return f"{name} (its {patches} labelled patches all lie in one spatial block)"
