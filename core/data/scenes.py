"""Several rasters as one training set: each raster is a *scene*, and the scenes are stacked in one tile grid.

A scene is a raster with its labels (its own label layer, or the one label layer shared by all rasters,
clipped to it and reprojected to its CRS), its area of interest and its part of the validation area, all on
its own pixel grid. The scenes are stacked one below the other, each starting on a multiple of ``unit`` rows
(a multiple of every split block's side) and at least a tile below the previous scene's last row. So a tile,
a label-placement block and a split block each lie in one scene, and the tiles, the spatial split (blocks held
out inside each raster) and a comparison's blocks work on the stack as on one raster. With one raster the
stack is that raster.

Nothing is read whole: a window is read from its scene's file when asked (a VRT of many files included), or
from memory when the rasters together are small enough (``cache``). The classes are the union of the scenes'
classes, matched by value (by name for text class fields), and every scene's labels are mapped onto it.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rasterio.crs import CRS
from rasterio.windows import Window

from ..common.classes import field_classes
from ..common.config import IGNORE_INDEX, ClassInfo, TrainConfig
from ..common.errors import UserError
from ..common.events import EventWriter
from .dataset import TileSource
from .labels import LabelSource, OutsideRasterError, PolygonLayer, area_mask, check_class_count, open_labels, with_colors
from .rasters import RasterInfo, band_indexes, raster_info
from .tiling import tile_sizes

RESOLUTION_RATIO = 2.0
"""A warning when the rasters' pixel sizes differ by more than this factor."""


@dataclass
class Scene:
    """One raster of the training set and what lies on its grid."""

    image: RasterInfo
    labels: LabelSource
    aoi: PolygonLayer | None
    validation_area: PolygonLayer | None  # None: the validation area (if any) misses this raster
    source: TileSource | None = None  # made once the classes are shared (``SceneStack``)
    row: int = 0  # the scene's first row in the stack

    @property
    def name(self) -> str:
        return Path(self.image.path).name

    def targets(self, window: Window) -> np.ndarray:
        """The class indices of a window of this scene (unlabelled: nodata, outside the area of interest)."""
        return self.source.read_raw(window)[2]


class SceneStack:
    """The scenes stacked in one tile grid (see the module docstring); reads any window from its scene."""

    def __init__(self, scenes: list[Scene], classes: list[ClassInfo], unit: int, gap: int, by_area: bool) -> None:
        self.scenes, self.classes, self.by_area = scenes, classes, by_area  # by_area: a validation area is used
        row = 0
        for scene in scenes:
            scene.row = row
            row += math.ceil((scene.image.height + gap) / unit) * unit
        self.width, self.height = max(s.image.width for s in scenes), row
        self._starts = [s.row for s in scenes]

    @property
    def bands(self) -> list[int]:
        """The rasters' bands the network reads (1-based, in its input order)."""
        return self.scenes[0].source.bands

    def describe(self) -> str:
        """The rasters in words, for messages."""
        sizes = [f"{s.name} ({s.image.width} x {s.image.height} px)" for s in self.scenes]
        return f"The raster {sizes[0]}" if len(sizes) == 1 else f"The {len(sizes)} rasters ({', '.join(sizes)})"

    def per_scene(self, windows_of: Callable[[Scene], list[Window]]) -> list[Window]:
        """The windows ``windows_of`` gives on each scene's own grid, moved into the stack."""
        return [
            Window(w.col_off, w.row_off + scene.row, w.width, w.height)
            for scene in self.scenes
            for w in windows_of(scene)
        ]

    def locate(self, window: Window) -> tuple[Scene, Window]:
        """The scene a stack window lies in and the window on that scene's grid."""
        scene = self.scenes[max(0, bisect.bisect_right(self._starts, int(window.row_off)) - 1)]
        return scene, Window(window.col_off, window.row_off - scene.row, window.width, window.height)

    def read_raw(self, window: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Image ``(bands, h, w)`` float32 (not normalized), valid mask, class indices: ``TileSource.read_raw``."""
        scene, local = self.locate(window)
        return scene.source.read_raw(local)

    def validation_share(self, window: Window) -> float:
        """The share of the window's pixels inside the validation area."""
        scene, local = self.locate(window)
        return 0.0 if scene.validation_area is None else float(scene.validation_area.read(local).mean())


def open_scenes(config: TrainConfig, events: EventWriter) -> SceneStack:
    """The rasters of ``config`` with their labels and areas, checked against each other and stacked; a
    raster its labels (or area of interest) miss is left out with a warning, an error when all are."""
    images = [raster_info(path) for path in config.raster]
    _check_rasters(images, config, events)
    labels = config.labels * len(images) if len(config.labels) == 1 else config.labels
    scenes = [s for s in (_open_scene(config, i, p, len(images), events) for i, p in zip(images, labels)) if s]
    if not scenes:
        raise UserError(
            f"The labels ({', '.join(Path(p).name for p in config.labels)}) overlap none of the rasters "
            f"({', '.join(Path(p).name for p in config.raster)}): check that they cover the same area."
        )
    if config.validation_area and all(s.validation_area is None for s in scenes):
        raise UserError(
            f"The validation area {Path(config.validation_area).name} overlaps none of the rasters: draw it over "
            "labelled parts of them."
        )
    classes = _share_classes(scenes, config)
    bands = band_indexes(config.bands, images[0])
    pixels = sum(s.image.width * s.image.height for s in scenes)
    cache = TileSource.should_cache(config.cache, pixels, len(bands))
    for scene in scenes:
        scene.source = TileSource(scene.image.path, scene.labels, scene.aoi, cache, bands)
    sizes = tile_sizes(config.tile_size)
    unit = config.block_tiles * math.lcm(*sizes)
    return SceneStack(scenes, classes, unit, config.tile_size, bool(config.validation_area))


def _open_scene(config: TrainConfig, image: RasterInfo, labels: str, rasters: int, events: EventWriter) -> Scene | None:
    """One raster's labels and areas; None (with a warning) when its labels or area of interest miss it and
    other rasters remain."""
    try:
        source = open_labels(config, labels, image, events.log)
        aoi = area_mask(config.aoi, config.aoi_layer, image, events.log, "area of interest") if config.aoi else None
    except OutsideRasterError as exc:
        if rasters == 1:
            raise
        events.log(f"{exc} The raster {Path(image.path).name} is left out.", level="warning")
        return None
    validation = None
    if config.validation_area:
        try:
            validation = area_mask(
                config.validation_area, config.validation_area_layer, image, events.log, "validation area"
            )
        except OutsideRasterError:
            if rasters == 1:
                raise
    return Scene(image, source, aoi, validation)


def _check_rasters(images: list[RasterInfo], config: TrainConfig, events: EventWriter) -> None:
    """Equal band counts (an error naming each raster's), the chosen bands in each; a note on several CRSs and a
    warning on pixel sizes more than ``RESOLUTION_RATIO`` apart."""
    if len({i.count for i in images}) > 1:
        counts = ", ".join(f"{Path(i.path).name}: {i.count}" for i in images)
        raise UserError(
            f"The rasters have different band counts ({counts}): train on rasters with the same bands in the same "
            "order (or split them into separate runs)."
        )
    for image in images:
        band_indexes(config.bands, image)
    if len({CRS.from_wkt(i.crs_wkt) for i in images}) > 1:
        events.log("The rasters are in different coordinate reference systems: the labels are reprojected to each.")
    sizes = {Path(i.path).name: _pixel_metres(i) for i in images}
    if max(sizes.values()) > RESOLUTION_RATIO * min(sizes.values()):
        listed = ", ".join(f"{name}: {size:.3g} m" for name, size in sizes.items())
        events.log(
            f"The rasters' pixel sizes differ by more than {RESOLUTION_RATIO:g}x ({listed}): the network sees the "
            "same objects at different scales. Resample them to one resolution for a better model.",
            level="warning",
        )


def _pixel_metres(image: RasterInfo) -> float:
    """The pixel's mean side in metres (degrees taken as 111,320 m)."""
    crs, side = CRS.from_wkt(image.crs_wkt), math.sqrt(image.resolution[0] * image.resolution[1])
    return side * (111_320.0 if crs.is_geographic else crs.linear_units_factor[1])


def _share_classes(scenes: list[Scene], config: TrainConfig) -> list[ClassInfo]:
    """The union of the scenes' classes; each scene's labels are mapped onto it (``_Remapped``)."""
    tables = [s.labels.classes for s in scenes]
    if all(t == tables[0] for t in tables):
        return tables[0]
    by_name = any(s.labels.by_name for s in scenes)
    key = (lambda c: c.name) if by_name else (lambda c: c.value)
    if by_name:  # text class fields numbered per file: number the union of the names by the same rule
        union = field_classes(sorted({c.name for t in tables for c in t}))[1]
    else:
        union = list({c.value: c for t in reversed(tables) for c in t}.values())
    given = {c.value: c.color for c in config.classes}
    shared = with_colors([ClassInfo(c.value, c.name, given.get(c.value, "")) for c in union])
    check_class_count(shared, "The label layers together")
    index = {key(c): i for i, c in enumerate(shared)}
    for scene, table in zip(scenes, tables):
        lookup = np.full(256, IGNORE_INDEX, dtype=np.uint8)
        lookup[: len(table)] = [index[key(c)] for c in table]
        scene.labels = _Remapped(scene.labels, lookup, shared)
    return shared


class _Remapped:
    """A scene's labels with its class indices mapped onto the shared class table."""

    def __init__(self, labels: LabelSource, lookup: np.ndarray, classes: list[ClassInfo]) -> None:
        self.labels, self.lookup, self.classes = labels, lookup, classes

    def read(self, window: Window) -> np.ndarray:
        return self.lookup[self.labels.read(window)]
