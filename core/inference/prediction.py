"""Prediction of a class raster with a trained model: seamless, bounded in memory, GIS-ready.

- **Where**: the whole raster, an extent in any CRS (transformed to the raster's CRS and snapped
  outward to its pixel grid), and/or the inside of mask polygons (outside is nodata; tiles wholly
  outside are skipped).
- **Seamless**: neighbouring tiles share a fixed ``margin`` of pixels (64 by default, whatever the tile), blended
  in probability space with weights that ramp up over it (``blending``, see ``blending.py``). Tiles are as large
  as allowed (1024 px by default) and fitted to the region; beyond the raster's edge they are filled by
  reflection, never by zeros.
- **Every tile once, bounded memory**: the output is produced in chunks of whole tiles (at most ``CHUNK`` pixels a
  side), written and dropped one by one; what a tile adds past its chunk is carried to the chunks there
  (``_Carries``), so chunks are exact pieces of the whole. Only a ``margin``-high strip grows with the raster's
  width, kept in a temporary file. The next tiles are read, and the last chunk written, in threads while the
  network runs.
- **Outputs**: a class raster (uint8, uint16 beyond 254 classes; nodata 255/65535 only where the
  input is nodata or outside the mask), tiled, DEFLATE-compressed, with internal overviews (mode)
  and a colour table, written as a Cloud Optimized GeoTIFF where the worker's GDAL has the COG
  driver; class names in the band metadata and a ``.qml`` style beside it. Optionally a confidence
  raster (top-class probability), uncertainty rasters (normalized entropy, top-two margin: ``uncertainty.py``,
  each with a colour-ramp ``.qml``) and a per-class probability raster. The result lists the area of
  each class in hectares.
- **Test-time augmentation** (``augmentation.py``): each batch of tiles predicted once per transform, the
  probabilities turned back and averaged before blending.
"""

from __future__ import annotations

import functools
import math
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.shutil
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_bounds
from rasterio.windows import Window
from rasterio.windows import transform as window_transform

from ..common.bands import bands_to_read
from ..common.classes import model_classes
from ..common.colors import hex_to_rgb, uncertainty_ramp
from ..common.config import PREDICTION_NODATA, ClassInfo, PredictConfig
from ..common.errors import UserError
from ..common.events import EventWriter
from ..common.files import check_output_file, partial, prediction_files, replaced, unfinished_prediction_files
from ..data.labels import PolygonLayer, area_mask
from ..data.rasters import RasterInfo, open_raster, valid_pixels, writing_raster
from ..runtime.allocator import give_back_free_memory
from ..runtime.cancel import StopRequest
from .augmentation import TRANSFORMS, Transform, augmentation_warning, averaged
from .blending import blend_weights
from .network import Arrays, Network, load_network
from .qml import write_paletted_style, write_ramp_style
from .top_class import top_class
from .uncertainty import PIXEL_MEASURES
from .vectorize import vectorize

CHUNK = 2048  # the largest output chunk side; chunks are made of whole tiles
DEFAULT_TILE = 1024
ALIGN = 32  # the output stride of every encoder: tile offsets are multiples of it
RESOLUTION_WARNING_RATIO = 2.0
CONFIDENCE_NODATA = -1.0
OVERVIEW_FACTORS = (2, 4, 8, 16, 32)
OVERVIEW_MIN_SIZE = 256  # as gdaladdo: overviews until the largest side is at most this


def overview_factors(width: int, height: int) -> list[int]:
    """The overview levels of a ``width`` x ``height`` output: halving while the previous level's largest side is
    above ``OVERVIEW_MIN_SIZE`` (none for a small output, which GDAL could not reduce to so many levels)."""
    return [f for f in OVERVIEW_FACTORS if max(width, height) * 2 / f > OVERVIEW_MIN_SIZE]


def target_window(
    src: rasterio.io.DatasetReader, extent: tuple[float, float, float, float] | None, extent_crs: str | None
) -> Window:
    """The raster's pixel window covering ``extent`` (given in ``extent_crs``), snapped outward to whole pixels."""
    full = Window(0, 0, src.width, src.height)
    if extent is None:
        return full
    if extent_crs:
        try:
            crs = CRS.from_user_input(extent_crs)
        except rasterio.errors.CRSError:
            raise UserError(f"The extent's CRS {extent_crs!r} is not a known coordinate reference system.") from None
        if src.crs is None:
            raise UserError(
                f"The raster {Path(src.name).name} has no coordinate reference system, so an extent in {extent_crs} "
                "cannot be placed on it: give the extent in the raster's own coordinates, without an extent CRS."
            )
        if crs != src.crs:
            extent = transform_bounds(crs, src.crs, *extent, densify_pts=21)
    xmin, ymin, xmax, ymax = extent
    corners = [~src.transform * (x, y) for x in (xmin, xmax) for y in (ymin, ymax)]
    cols, rows = [c for c, _ in corners], [r for _, r in corners]
    col0, row0 = max(0, math.floor(min(cols) + 1e-9)), max(0, math.floor(min(rows) + 1e-9))
    col1, row1 = min(src.width, math.ceil(max(cols) - 1e-9)), min(src.height, math.ceil(max(rows) - 1e-9))
    if col1 <= col0 or row1 <= row0:
        raise UserError(
            f"The extent {tuple(round(v, 6) for v in extent)} does not overlap the raster {Path(src.name).name}."
        )
    return Window(col0, row0, col1 - col0, row1 - row0)


def _check_compatible(
    src, metadata: dict[str, Any], events: EventWriter, name: str, resampled: bool
) -> list[int] | None:
    """The bands to read from ``src`` for the model (None: all, as they are), with a warning when the resolution
    is far from the training raster's."""
    bands = bands_to_read(metadata, src.count, name)
    if bands:
        events.log(f"The model reads bands {', '.join(map(str, bands))} of {name}, in that order.")
    elif metadata.get("bands"):
        events.log(
            f"{name} has the model's {src.count} bands: they are read as bands "
            f"{', '.join(map(str, metadata['bands']))} of the training raster, in that order."
        )
    trained = metadata.get("resolution")
    if trained and not resampled:
        ratio = max(abs(src.res[0]) / trained[0], trained[0] / abs(src.res[0]))
        if ratio > RESOLUTION_WARNING_RATIO:
            events.log(
                f"The raster {name} has {abs(src.res[0]):g} units per pixel but the model was trained at "
                f"{trained[0]:g}: predictions may be poor; predict with 'resample to the training resolution'.",
                level="warning",
            )
    return bands


def _open_input(src: rasterio.io.DatasetReader, metadata: dict, resample: bool):
    """The raster, or a virtual warp of it to the training resolution (bilinear) in its own CRS."""
    if not resample or not metadata.get("resolution"):
        return src
    res = metadata["resolution"][0]
    left, bottom, right, top = src.bounds
    width, height = max(1, round((right - left) / res)), max(1, round((top - bottom) / res))
    transform = rasterio.Affine(res, 0, left, 0, -res, top)
    return WarpedVRT(src, crs=src.crs, transform=transform, width=width, height=height, resampling=Resampling.bilinear)


def prediction_tile(training_tile: int) -> int:
    """The default largest prediction tile: ``DEFAULT_TILE``, or the training tile when that is larger.

    A fully convolutional network predicts each pixel from its surroundings; with a fixed margin
    shared by neighbouring tiles, a larger tile computes fewer pixels twice (docs/inference.md has
    the measured margin x tile table). A batch is sized in pixels, so memory does not grow with the tile.
    """
    return max(training_tile, DEFAULT_TILE)


def prediction_batch(tile_pixels: int, network: Network) -> int:
    """The default number of tiles per forward pass: a fixed number of pixels, so that memory does not
    grow with the tile (0.25 MP on CPU, where batching gains little; 2 MP on a GPU)."""
    return max(1, network.batch_pixels // tile_pixels)


def _read_tile(src, window: Window, network: Network, bands: list[int] | None) -> tuple[np.ndarray, np.ndarray]:
    """The network's input ``(bands, tile, tile)`` from ``bands`` (None: all) and its valid mask; beyond the raster,
    reflection (not valid)."""
    inside = window.intersection(Window(0, 0, src.width, src.height))
    data = src.read(indexes=bands, window=inside, out_dtype="float32")
    valid = valid_pixels(data, src.nodata)
    data = network.prepare(data, valid)
    top, left = int(inside.row_off - window.row_off), int(inside.col_off - window.col_off)
    rows = (top, int(window.height) - top - data.shape[1])
    cols = (left, int(window.width) - left - data.shape[2])
    if rows == cols == (0, 0):  # inside the raster (np.pad would copy)
        return data, valid
    return np.pad(data, ((0, 0), rows, cols), mode="symmetric"), np.pad(valid, (rows, cols))


class _Outputs:
    """The output rasters, written chunk by chunk, then given overviews (and COG layout)."""

    def __init__(self, config: PredictConfig, profile: dict, classes: list[ClassInfo], stack: ExitStack) -> None:
        self.main = Path(config.output)
        self.main.parent.mkdir(parents=True, exist_ok=True)
        self.profile, self.classes = profile, classes
        values = np.array([c.value for c in classes])
        self.dtype = "uint8" if values.max() < PREDICTION_NODATA else "uint16"
        self.nodata = PREDICTION_NODATA if self.dtype == "uint8" else 65535
        self.lookup = values.astype(self.dtype)
        common = profile | {
            "driver": "GTiff",
            "tiled": True,
            "blockxsize": 256,
            "blockysize": 256,
            "compress": "deflate",
            "zlevel": 1 if cog_available() else 6,  # the fastest level where the COG copy compresses again
            "BIGTIFF": "IF_SAFER",
        }
        self.paths = {"classes": self.main}
        self.files = {
            "classes": stack.enter_context(
                rasterio.open(self._tmp(self.main), "w", **common, count=1, dtype=self.dtype, nodata=self.nodata)
            )
        }
        self.files["classes"].write_colormap(1, {c.value: (*hex_to_rgb(c.color), 255) for c in classes})
        self.files["classes"].update_tags(1, CLASS_NAMES=";".join(f"{c.value}={c.name}" for c in classes))
        self.files["classes"].set_band_description(1, "class")
        self.measures = [*(["confidence"] if config.confidence else []), *config.uncertainty_rasters()]
        extra = {name: [PIXEL_MEASURES[name][1]] for name in self.measures}
        if config.probabilities:
            extra["probabilities"] = [c.name for c in classes]
        for name, descriptions in extra.items():
            path = prediction_files(self.main)[name]
            self.paths[name] = path
            self.files[name] = stack.enter_context(
                rasterio.open(
                    self._tmp(path), "w", **common, count=len(descriptions), dtype="float32", nodata=CONFIDENCE_NODATA
                )
            )
            for band, description in enumerate(descriptions, start=1):
                self.files[name].set_band_description(band, description)
        self.counts = np.zeros(len(classes), dtype=np.int64)

    @staticmethod
    def _tmp(path: Path) -> Path:
        return partial(path)

    def write(self, window: Window, probs: np.ndarray, valid: np.ndarray) -> None:
        indices = top_class(probs)
        self.counts += np.bincount(indices[valid], minlength=len(self.counts))
        classes = self.lookup[indices]
        classes[~valid] = self.nodata
        self.files["classes"].write(classes, 1, window=window)
        for name in self.measures:
            values = PIXEL_MEASURES[name][0](probs).astype("float32")
            values[~valid] = CONFIDENCE_NODATA
            self.files[name].write(values, 1, window=window)
        if "probabilities" in self.files:
            probs = probs.astype("float32")
            probs[:, ~valid] = CONFIDENCE_NODATA
            self.files["probabilities"].write(probs, window=window)

    def finish(self) -> dict[str, str]:
        """Overviews, then COG layout where available; replaces the final files, each in one rename."""
        for dataset in self.files.values():
            dataset.close()
        for name, path in self.paths.items():
            tmp = self._tmp(path)
            # Reopened: GDAL sees the colour table written at creation only once the file is closed.
            with rasterio.open(tmp, "r+") as dataset:
                factors = overview_factors(dataset.width, dataset.height)
                if factors:
                    dataset.build_overviews(factors, Resampling.mode if name == "classes" else Resampling.average)
            _lay_out(tmp, path)
        return {name: str(path) for name, path in self.paths.items()}

    def areas_ha(self) -> dict[str, float]:
        """Hectares per class written so far, for projected CRSs in metres (empty otherwise)."""
        pixel_area, crs = abs(self.profile["transform"].a * self.profile["transform"].e), self.profile["crs"]
        if crs is None or not crs.is_projected or (crs.linear_units or "").lower() not in ("metre", "meter", "m"):
            return {}
        return {c.name: float(n * pixel_area / 10_000.0) for c, n in zip(self.classes, self.counts)}

    def discard(self) -> None:
        for name, dataset in self.files.items():
            if not dataset.closed:
                dataset.close()
            self._tmp(self.paths[name]).unlink(missing_ok=True)


@functools.cache
def cog_available() -> bool:
    """Whether the worker's GDAL has the COG driver (GDAL 3.1 and later)."""
    with rasterio.Env() as env:
        return "COG" in env.drivers()


def _lay_out(source: Path, target: Path) -> None:
    """Put the finished GeoTIFF ``source`` in place as ``target``: copied as a Cloud Optimized GeoTIFF (DEFLATE at
    GDAL's default level) to a temporary name, or as it is where GDAL has no COG driver, then renamed, so that a
    kill midway leaves the earlier ``target`` whole (GDAL's copy deletes the file it writes to first)."""
    if not cog_available():  # the tiled GeoTIFF with overviews
        source.replace(target)
        return
    with replaced(target) as tmp:
        rasterio.shutil.copy(
            source, tmp, driver="COG", COMPRESS="DEFLATE", BIGTIFF="IF_SAFER", OVERVIEWS="FORCE_USE_EXISTING"
        )
    source.unlink()


def predict(config: PredictConfig, events: EventWriter, stop: StopRequest) -> dict[str, Any]:
    """Predict each raster of ``config`` into its output (``PredictConfig.predictions``), the model loaded once.
    The result lists each raster's outputs; on a stop request the raster being predicted loses its partial
    outputs and the rasters already predicted are kept."""
    jobs, done = config.predictions(), []
    for _, output in jobs:
        check_output_file(output, "prediction")
    network = load_network(config.model_dir, config.device)
    warning = augmentation_warning(config.tta, network.metadata)
    if warning:
        events.log(warning, level="warning")
    for number, (raster, output) in enumerate(jobs):
        if len(jobs) > 1:
            events.log(f"Raster {number + 1} of {len(jobs)}: {raster}.")
        one = config.for_raster(raster, output)
        result = _predict_raster(one, network, events, stop, (number, len(jobs)))
        if result is None:
            kept = f" The {len(done)} prediction(s) already finished are kept." if done else ""
            events.emit("cancelled", message=f"Prediction cancelled; the partial output was removed.{kept}")
            return {"cancelled": True, "predictions": done}
        done.append(result)
    events.emit("result", predictions=done)
    return {"predictions": done}


def _predict_raster(
    config: PredictConfig, network: Network, events: EventWriter, stop: StopRequest, part: tuple[int, int]
) -> dict[str, Any] | None:
    """Write one raster's class raster (and optional confidence/probabilities) with ``network``; None on a stop
    request (its outputs removed). ``part``: this raster's index and the number of rasters, for progress."""
    metadata = network.metadata
    classes = model_classes(metadata)
    with ExitStack() as stack:
        src, bands = _open_source(config, metadata, events, stack)
        region, mask = _region(config, src, events)
        grid = _TileGrid.over(region, config, metadata["tile_size"], network.arrays)
        batch_size = config.batch_size or prediction_batch(grid.tile_pixels, network)
        transforms = TRANSFORMS[config.tta]
        context = _Prediction(network, src, bands, mask, grid, batch_size, transforms)
        profile = {
            "width": int(region.width),
            "height": int(region.height),
            "crs": src.crs,
            "transform": window_transform(region, src.transform),
        }
        _remove_unfinished(config.output, events)
        outputs = _Outputs(config, profile, classes, stack)
        try:
            events.log(
                f"Predicting {int(region.width)} x {int(region.height)} pixels on {network.description}: tiles of "
                f"{grid.cols.length} x {grid.rows.length} px sharing {grid.margin} px ({config.blending} blending), "
                f"{len(grid.rows.chunks) * len(grid.cols.chunks)} chunk(s)."
            )
            if len(transforms) > 1:
                events.log(f"Test-time augmentation ({config.tta}): each tile predicted {len(transforms)} times.")
            with writing_raster(outputs.main):
                tiles_run = _predict_chunks(context, region, outputs, events, stop, part)
                written = outputs.finish()
        except _StopRequestedError:
            outputs.discard()
            return None
        except BaseException:
            outputs.discard()
            raise
    return _finish(config, outputs, written, tiles_run, events)


def _remove_unfinished(output: str, events: EventWriter) -> None:
    """Remove what an earlier prediction into ``output`` left unfinished when it was killed (never a
    finished file: those are replaced only once the new one is complete)."""
    for path in unfinished_prediction_files(output).values():
        if path.exists():
            path.unlink()
            events.log(f"Removed {path}, left unfinished by an earlier prediction that was stopped abruptly.")


class _StopRequestedError(Exception):
    """Raised inside the chunk loop when a stop was requested."""


def _open_source(
    config: PredictConfig, metadata: dict[str, Any], events: EventWriter, stack: ExitStack
) -> tuple[rasterio.io.DatasetReader, list[int] | None]:
    """The input raster, opened in ``stack`` (warped to the training resolution when asked) and checked
    against the model, and the bands of it the model reads (None: all)."""
    raw = stack.enter_context(open_raster(config.raster[0]))
    src = _open_input(raw, metadata, config.resample_to_training)
    if src is not raw:
        stack.enter_context(src)
        events.log(f"Raster warped to the training resolution ({metadata['resolution'][0]:g}) for prediction.")
    name = Path(config.raster[0]).name
    if src.crs is None:
        events.log(
            f"The raster {name} has no coordinate reference system, so neither has its prediction {config.output}: "
            "set the raster's CRS (in QGIS: Layer Properties > Source) to place the prediction on a map.",
            level="warning",
        )
    return src, _check_compatible(src, metadata, events, name, src is not raw)


def _region(config: PredictConfig, src, events: EventWriter) -> tuple[Window, PolygonLayer | None]:
    """The pixel window to predict (the extent, cut down to the mask's bounding box) and the mask, if any."""
    region = target_window(src, config.extent, config.extent_crs)
    if not config.mask:
        return region, None
    mask = area_mask(config.mask, config.mask_layer, RasterInfo.of(src, config.raster[0]), events.log, "mask")
    return _masked_region(region, mask, src), mask


def _finish(
    config: PredictConfig, outputs: _Outputs, written: dict[str, str], tiles_run: int, events: EventWriter
) -> dict[str, Any]:
    """Style the class and uncertainty rasters, warn when it is all nodata, report the areas, vectorize when asked;
    the raster's result."""
    write_paletted_style(outputs.main, outputs.classes)
    if not outputs.counts.any():
        where = " or outside the mask" if config.mask else ""
        events.log(
            f"Every pixel of {config.raster[0]} predicted is nodata{where}, so the prediction {outputs.main} is all "
            "nodata: check the raster's nodata value and its bands.",
            level="warning",
        )
    areas = outputs.areas_ha()
    if areas:
        events.log("Area per class (ha): " + ", ".join(f"{n} {a:,.1f}" for n, a in areas.items()))
    result = {
        "prediction": written["classes"],
        "classes": [c.__dict__ for c in outputs.classes],
        "areas_ha": areas,
        "tiles": tiles_run,
    }
    result |= {name: path for name, path in written.items() if name != "classes"}
    for name in config.uncertainty_rasters():
        write_ramp_style(Path(written[name]), uncertainty_ramp(name))
    if config.vectorize:
        polygons = prediction_files(outputs.main)["polygons"]
        with replaced(polygons) as tmp:  # an earlier prediction's polygons stay whole until these are complete
            count = vectorize(str(outputs.main), str(tmp), outputs.classes, config.simplify)
        events.log(f"{count} class polygons written to {polygons}.")
        result["polygons"] = str(polygons)
    return result


def _masked_region(region: Window, mask: PolygonLayer, src) -> Window:
    """The region cut down to the mask polygons' bounding box."""
    xmin = min(s.bounds[0] for s in mask.shapes)
    ymin = min(s.bounds[1] for s in mask.shapes)
    xmax = max(s.bounds[2] for s in mask.shapes)
    ymax = max(s.bounds[3] for s in mask.shapes)
    box = target_window(src, (xmin, ymin, xmax, ymax), None)
    inter = region.intersection(box)
    return Window(int(inter.col_off), int(inter.row_off), int(inter.width), int(inter.height))


@dataclass(frozen=True)
class TileAxis:
    """The tiles along one axis of the region: their offsets and length, and the output chunks they group into."""

    starts: list[int]
    length: int  # of every tile along this axis
    chunks: list[tuple[int, int, range]]  # each chunk's first and end pixel (raster coordinates) and its tiles

    @classmethod
    def over(cls, start: int, extent: int, max_tile: int, margin: int) -> TileAxis:
        """As few tiles of at most ``max_tile`` pixels as cover ``extent`` pixels from ``start``, neighbours
        sharing ``margin`` pixels.

        The tile length is fitted to the region (the step between tiles a multiple of ``ALIGN``, so that every
        offset is ``start`` plus a multiple of it: the network is not shift-invariant below its output stride,
        and tiles on one phase agree with each other and with a single pass). The last tile may reach past the
        region, into the raster or, beyond its edge, its reflection. Tiles are grouped into chunks of at most
        ``CHUNK`` pixels; a chunk ends where its next tile starts, so a tile's last ``margin`` pixels lie in
        the next chunk.
        """
        count = max(1, math.ceil((extent - margin) / (max_tile - margin)))
        if count == 1:
            return cls([start], ALIGN * math.ceil(extent / ALIGN), [(start, start + extent, range(1))])
        step = ALIGN * math.ceil(math.ceil((extent - margin) / count) / ALIGN)
        starts = [start + i * step for i in range(count) if i * step < extent]
        per_chunk = max(1, CHUNK // step)
        groups = [range(i, min(i + per_chunk, len(starts))) for i in range(0, len(starts), per_chunk)]
        ends = [starts[g.stop] if g.stop < len(starts) else start + extent for g in groups]
        chunks = [(start if g.start == 0 else starts[g.start], end, g) for g, end in zip(groups, ends)]
        return cls(starts, step + margin, chunks)


@dataclass(frozen=True)
class _Chunk:
    """A piece of the output: its window (raster pixels) and the tiles that start in it."""

    window: Window
    tiles: list[Window]


@dataclass
class _TileGrid:
    """The prediction's tiles: rows and columns, the margin neighbours share and the blending weights."""

    rows: TileAxis
    cols: TileAxis
    margin: int
    weights: Any  # (height, width), where the network's sums live

    @classmethod
    def over(cls, region: Window, config: PredictConfig, training_tile: int, arrays: Arrays) -> _TileGrid:
        """The grid of ``config``'s largest tile (by default from the training tile) and margin over ``region``."""
        tile = config.tile_size or prediction_tile(training_tile)
        rows = TileAxis.over(int(region.row_off), int(region.height), tile, config.margin)
        cols = TileAxis.over(int(region.col_off), int(region.width), tile, config.margin)
        weights = blend_weights(rows.length, cols.length, config.margin, config.blending)
        return cls(rows, cols, config.margin, arrays.array(weights))

    @property
    def tile_pixels(self) -> int:
        return self.rows.length * self.cols.length

    def chunks(self) -> list[_Chunk]:
        """The output chunks, row by row, each with its tiles."""
        return [
            _Chunk(
                Window(col0, row0, col1 - col0, row1 - row0),
                [
                    Window(self.cols.starts[j], self.rows.starts[i], self.cols.length, self.rows.length)
                    for i in row_tiles
                    for j in col_tiles
                ],
            )
            for row0, row1, row_tiles in self.rows.chunks
            for col0, col1, col_tiles in self.cols.chunks
        ]


@dataclass
class _Prediction:
    """A prediction's fixed context, shared by every chunk: the network, the input, the mask and the tile grid."""

    network: Network
    src: rasterio.io.DatasetReader  # or its warp to the training resolution
    bands: list[int] | None  # the bands of ``src`` the model reads, in its order; None: all
    mask: PolygonLayer | None
    grid: _TileGrid
    batch_size: int
    transforms: tuple[Transform, ...]  # test-time augmentation's (the identity alone without it)

    def read(self, windows: list[Window]) -> list[tuple[np.ndarray, np.ndarray]]:
        """The network's inputs for ``windows`` and their valid masks."""
        return [_read_tile(self.src, win, self.network, self.bands) for win in windows]

    def probabilities(self, images: list[np.ndarray]) -> Any:
        """Class probabilities ``(tiles, K, height, width)`` of a batch of the network's inputs."""
        return self.network.probabilities(images)

    def inside_mask(self, window: Window) -> np.ndarray:
        """Whether each pixel of ``window`` is inside the mask polygons (all, without a mask)."""
        if self.mask is None:
            return np.ones((int(window.height), int(window.width)), dtype=bool)
        return self.mask.read(window) == 1

    def tiles_to_run(self, chunk: _Chunk) -> list[Window]:
        """The chunk's tiles, less those wholly outside the mask."""
        if self.mask is None:
            return chunk.tiles
        return [win for win in chunk.tiles if self.inside_mask(win).any()]


def _predict_chunks(
    context: _Prediction,
    region: Window,
    outputs: _Outputs,
    events: EventWriter,
    stop: StopRequest,
    part: tuple[int, int] = (0, 1),
) -> int:
    """Predict and write the grid's chunks of ``region`` one by one, with progress (``part``: this raster's
    index and the number of rasters); the number of tiles run.

    Each tile runs once: what it adds beyond its chunk is carried to the chunks there (``_Carries``). The next
    batch of tiles is read, and the last chunk written, in threads while the network runs.
    """
    chunks = context.grid.chunks()
    tiles = [context.tiles_to_run(chunk) for chunk in chunks]
    batches = [_batches(chunk_tiles, context.batch_size) for chunk_tiles in tiles]
    classes, arrays = len(context.network.metadata["classes"]), context.network.arrays
    with (
        closing(_Carries(region, context.grid.margin, classes, arrays, outputs.main.parent)) as carries,
        closing(_read_ahead(context.read, [batch for chunk in batches for batch in chunk])) as reads,
        _Writer(outputs) as writer,
    ):
        for done, (chunk, chunk_batches) in enumerate(zip(chunks, batches), start=1):
            _predict_chunk(context, chunk, zip(chunk_batches, reads), carries, writer, stop)
            give_back_free_memory()  # what this chunk freed, before the next chunk's peak (``runtime.allocator``)
            fraction = (part[0] + done / len(chunks)) / part[1]
            events.emit("progress", stage="predict", fraction=fraction, batch=done, batches=len(chunks))
    return sum(map(len, tiles))


def _predict_chunk(
    context: _Prediction,
    chunk: _Chunk,
    batches: Iterable[tuple[list[Window], list[tuple[np.ndarray, np.ndarray]]]],
    carries: _Carries,
    writer: _Writer,
    stop: StopRequest,
) -> None:
    """Predict ``chunk`` from its ``batches`` (each batch's windows and what was read of them) and hand it to
    ``writer``. A function of its own so that nothing of the chunk outlives it but what the writer holds until it is
    written: kept in a loop variable, the blended probabilities (K floats per pixel, 117 MB for a 2048 px chunk of 7
    classes) stayed alive through the next chunk's first forward pass, its highest point."""
    canvas = carries.canvas(chunk.window)
    for windows, read in batches:
        if stop.requested():
            raise _StopRequestedError
        probs = averaged(context.probabilities, [image for image, _ in read], context.transforms)
        for win, (_, tile_valid), p in zip(windows, read, probs):
            canvas.add(win, p, tile_valid, context.grid.weights)
    carries.keep(canvas)
    blended, valid = canvas.result()
    window, region = chunk.window, carries.region
    relative = Window(window.col_off - region.col_off, window.row_off - region.row_off, window.width, window.height)
    writer.write(relative, blended, valid & context.inside_mask(window))


def _batches(windows: list[Window], size: int) -> list[list[Window]]:
    """``windows`` in batches of ``size``."""
    return [windows[start : start + size] for start in range(0, len(windows), size)]


def _read_ahead(read: Callable[[list[Window]], Any], batches: list[list[Window]]) -> Iterator[Any]:
    """``read`` of each batch in turn, the next one read in a thread while the caller uses the last."""
    if not batches:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read") as pool:
        pending = pool.submit(read, batches[0])
        for following in batches[1:]:
            result = pending.result()
            pending = pool.submit(read, following)
            yield result
        yield pending.result()


class _Writer:
    """Writes chunks to the outputs in a thread, one at a time (the next chunk is predicted meanwhile)."""

    def __init__(self, outputs: _Outputs) -> None:
        self.outputs = outputs
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="write")
        self.pending: Future | None = None

    def write(self, window: Window, probs: np.ndarray, valid: np.ndarray) -> None:
        """Write once the previous chunk is written (its errors raised here)."""
        self.wait()
        self.pending = self.pool.submit(self.outputs.write, window, probs, valid)

    def wait(self) -> None:
        if self.pending is not None:
            self.pending.result()
            self.pending = None

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.wait()
        finally:
            self.pool.shutdown()


class _Canvas:
    """Weighted sums over a chunk and its tails (``margin`` pixels past its bottom and right edges, where its last
    tiles reach): the weighted probability of each class, the sum of the weights and the weighted validity, as one
    array ``(K + 2, height + margin, width + margin)`` of ``arrays``. A pixel is valid where its validity sum is
    positive."""

    def __init__(self, chunk: Window, margin: int, num_classes: int, arrays: Arrays) -> None:
        self.r0, self.c0 = int(chunk.row_off), int(chunk.col_off)
        self.h, self.w = int(chunk.height), int(chunk.width)
        self.arrays = arrays
        self.sums = arrays.zeros((num_classes + 2, self.h + margin, self.w + margin))

    def add(self, win: Window, probs: Any, tile_valid: np.ndarray, weights: Any) -> None:
        """Add a tile's weighted probabilities ``(K, height, width)`` where it overlaps the canvas."""
        row, col = int(win.row_off), int(win.col_off)
        height, width = self.sums.shape[1:]
        ys, xs = max(row, self.r0), max(col, self.c0)
        ye, xe = min(row + int(win.height), self.r0 + height), min(col + int(win.width), self.c0 + width)
        ty, tx = slice(ys - row, ye - row), slice(xs - col, xe - col)  # in the tile
        cy, cx = slice(ys - self.r0, ye - self.r0), slice(xs - self.c0, xe - self.c0)  # in the canvas
        w = weights[ty, tx]
        self.sums[:-2, cy, cx] += probs[:, ty, tx] * w
        self.sums[-2, cy, cx] += w
        self.sums[-1, cy, cx] += w * self.arrays.array(tile_valid[ty, tx])

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """The blended probabilities ``(K, h, w)`` of the chunk and its valid pixels (valid and covered by a tile)."""
        sums = self.sums[:, : self.h, : self.w]
        blended = self.arrays.numpy(sums[:-2] / sums[-2].clip(min=1e-12))
        return blended, self.arrays.numpy(sums[-1] > 0)


TAIL_DTYPE = np.float32  # the carried tails in their file: the dtype of the canvases' sums


class _Carries:
    """What tiles add past their chunk, kept until the chunk there is predicted: the last chunk's right tail, in
    memory, and the bottom tails of the chunk row above, in a temporary file beside the output (``margin`` rows of
    K + 2 float32 per column of the region, 2.3 MB per 1000 columns for 7 classes and a 64 px margin: the one
    store that grows with the raster's width, so on disk, where it does not raise the peak memory of wide
    rasters). Each chunk's tail is one block of the file at the place of its first column, written when the chunk
    is done and read back for the chunk below it (a few MB per chunk)."""

    def __init__(self, region: Window, margin: int, num_classes: int, arrays: Arrays, folder: Path) -> None:
        self.region, self.margin, self.num_classes, self.arrays = region, margin, num_classes, arrays
        self.below = tempfile.TemporaryFile(dir=folder, prefix=".carried-")  # removed when closed
        self.kept: set[int] = set()  # the columns whose chunk's tail is in the file
        self.right: Any = None

    def _seek(self, col: int) -> None:
        self.below.seek(col * (self.num_classes + 2) * self.margin * np.dtype(TAIL_DTYPE).itemsize)

    def canvas(self, chunk: Window) -> _Canvas:
        """A canvas for ``chunk`` holding what earlier chunks' tiles added to it."""
        canvas = _Canvas(chunk, self.margin, self.num_classes, self.arrays)
        col = canvas.c0 - int(self.region.col_off)
        if col in self.kept and self.margin:  # not the first chunk row, and tiles reach past their chunk
            tail = np.empty((self.num_classes + 2, self.margin, canvas.w), TAIL_DTYPE)
            self._seek(col)
            self.below.readinto(memoryview(tail).cast("B"))
            canvas.sums[:, : self.margin, : canvas.w] += self.arrays.array(tail)
        if col > 0:  # not the first chunk of its row
            canvas.sums[:, :, : self.margin] += self.right
        return canvas

    def keep(self, canvas: _Canvas) -> None:
        """Keep what ``canvas`` holds past its chunk for the chunks to its right and below."""
        col = canvas.c0 - int(self.region.col_off)
        self._seek(col)
        tail = self.arrays.numpy(canvas.sums[:, canvas.h :, : canvas.w])
        self.below.write(np.ascontiguousarray(tail, dtype=TAIL_DTYPE).data)
        self.kept.add(col)
        self.right = self.arrays.copy(canvas.sums[:, :, canvas.w :])

    def close(self) -> None:
        self.below.close()
