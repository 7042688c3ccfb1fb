"""Prediction of a class raster with a trained model: seamless, bounded in memory, GIS-ready.

- **Where**: the whole raster, an extent in any CRS (transformed to the raster's CRS and snapped
  outward to its pixel grid), and/or the inside of mask polygons (outside is nodata; tiles wholly
  outside are skipped).
- **Seamless**: overlapping tiles (``overlap``, 25 % by default) are blended in probability space
  with centre-weighted maps (``blending``, see ``blending.py``). The tile grid reaches half the
  overlap beyond the region so that edge pixels get context too; beyond the raster's edge tiles are
  filled by reflection, never by zeros.
- **Bounded memory**: the output is produced in chunks of ``CHUNK`` x ``CHUNK`` pixels; each chunk
  runs the tiles that touch it and accumulates their weighted probabilities, then is written and
  dropped. Tiles on the global grid straddling two chunks run once per chunk, so chunks are exact
  pieces of the whole. Memory does not grow with the raster.
- **Outputs**: a class raster (uint8, uint16 beyond 254 classes; nodata 255/65535 only where the
  input is nodata or outside the mask), tiled, DEFLATE-compressed, with internal overviews (mode)
  and a colour table, written as a Cloud Optimized GeoTIFF where the worker's GDAL has the COG
  driver; class names in the band metadata and a ``.qml`` style beside it. Optionally a confidence
  raster (top-class probability) and a per-class probability raster. The result lists the area of
  each class in hectares.
"""

from __future__ import annotations

import math
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.shutil
import torch
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_bounds
from rasterio.windows import Window
from rasterio.windows import transform as window_transform

from ..common.bands import bands_to_read
from ..common.colors import hex_to_rgb
from ..common.config import PREDICTION_NODATA, ClassInfo, PredictConfig
from ..common.errors import UserError
from ..common.events import EventWriter
from ..common.files import check_output_file, partial, prediction_files, replaced, unfinished_prediction_files
from ..data.labels import PolygonLayer, area_mask
from ..data.normalization import normalize
from ..data.rasters import RasterInfo, open_raster, valid_pixels, writing_raster
from ..data.tiling import tile_offsets
from ..models.model_store import load_model, model_classes
from ..runtime.cancel import StopRequest
from ..runtime.device import autocast, resolve_device
from .blending import blend_weights
from .qml import write_paletted_style
from .vectorize import vectorize

CHUNK = 2048
MIN_DEFAULT_TILE = 512
CPU_BATCH_PIXELS = 512 * 512
GPU_BATCH_PIXELS = 8 * 512 * 512
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
    """The default prediction tile: 512 px, or the training tile when that is larger.

    A fully convolutional network predicts each pixel from its surroundings: a larger tile gives it
    more of them and fewer overlaps to compute. With a 64 px model, 256 px tiles agreed with one pass
    over the whole raster on 97.6-98.3 % of the land-cover pixels, 512 px tiles on 99.4-99.8 %
    (docs/inference.md); a batch is sized in pixels, so memory does not grow with the tile.
    """
    return max(training_tile, MIN_DEFAULT_TILE)


def prediction_batch(tile: int, device: torch.device) -> int:
    """The default number of tiles per forward pass: a fixed number of pixels, so that memory does not
    grow with the tile (0.25 MP on CPU, where batching gains little; 2 MP on a GPU)."""
    pixels = GPU_BATCH_PIXELS if device.type == "cuda" else CPU_BATCH_PIXELS
    return max(1, pixels // (tile * tile))


def _tile_stride(tile: int, overlap: float) -> int:
    """The step between tiles: ``tile * (1 - overlap)`` rounded to a multiple of ``ALIGN``."""
    return max(ALIGN, ALIGN * round(tile * (1.0 - overlap) / ALIGN))


def _tile_starts(region_start: int, region_length: int, tile: int, stride: int) -> list[int]:
    """Tile offsets on one axis covering the region widened by half the overlap on each side.

    The widening puts the region's first and last pixels as far inside a tile as every other pixel
    (the overlap-tile strategy of Ronneberger et al. 2015); beyond the raster's edge the tiles are
    filled by reflection. Every offset is the region's start plus a multiple of ``ALIGN``: the
    network is not shift-invariant below its output stride, so tiles on one phase agree with each
    other and with a single pass over the region. A region that fits in one tile gets one tile
    centred on it (to the nearest aligned offset).
    """
    margin = ALIGN * math.ceil((tile - stride) / 2 / ALIGN)
    if region_length + 2 * margin <= tile:
        return [region_start - ALIGN * ((tile - region_length) // 2 // ALIGN)]
    return [region_start - margin + o for o in tile_offsets(region_length + 2 * margin, tile, stride, flush=False)]


def _read_tile(src, window: Window, stats: dict, bands: list[int] | None) -> tuple[np.ndarray, np.ndarray]:
    """Normalized ``(bands, tile, tile)`` of ``bands`` (None: all) and its valid mask; beyond the raster,
    reflection (not valid)."""
    inside = window.intersection(Window(0, 0, src.width, src.height))
    data = src.read(indexes=bands, window=inside, out_dtype="float32")
    valid = valid_pixels(data, src.nodata)
    data = normalize(data, valid, stats)
    top, left = int(inside.row_off - window.row_off), int(inside.col_off - window.col_off)
    rows = (top, int(window.height) - top - data.shape[1])
    cols = (left, int(window.width) - left - data.shape[2])
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
        extra = {"confidence": (config.confidence, 1), "probabilities": (config.probabilities, len(classes))}
        for name, (wanted, count) in extra.items():
            if wanted:
                path = prediction_files(self.main)[name]
                self.paths[name] = path
                self.files[name] = stack.enter_context(
                    rasterio.open(
                        self._tmp(path), "w", **common, count=count, dtype="float32", nodata=CONFIDENCE_NODATA
                    )
                )
        if "probabilities" in self.files:
            for i, c in enumerate(classes, start=1):
                self.files["probabilities"].set_band_description(i, c.name)
        self.counts = np.zeros(len(classes), dtype=np.int64)

    @staticmethod
    def _tmp(path: Path) -> Path:
        return partial(path)

    def write(self, window: Window, probs: np.ndarray, valid: np.ndarray) -> None:
        indices = probs.argmax(axis=0)
        self.counts += np.bincount(indices[valid], minlength=len(self.counts))
        classes = self.lookup[indices]
        classes[~valid] = self.nodata
        self.files["classes"].write(classes, 1, window=window)
        if "confidence" in self.files:
            confidence = probs.max(axis=0)
            confidence[~valid] = CONFIDENCE_NODATA
            self.files["confidence"].write(confidence.astype("float32"), 1, window=window)
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


def _lay_out(source: Path, target: Path) -> None:
    """Put the finished GeoTIFF ``source`` in place as ``target``: copied as a Cloud Optimized GeoTIFF to a temporary
    name, or as it is where GDAL has no COG driver, then renamed, so that a kill midway leaves the earlier ``target``
    whole (GDAL's copy deletes the file it writes to first)."""
    try:
        with replaced(target) as tmp:
            rasterio.shutil.copy(
                source, tmp, driver="COG", COMPRESS="DEFLATE", BIGTIFF="IF_SAFER", OVERVIEWS="FORCE_USE_EXISTING"
            )
    except rasterio.errors.RasterioError:  # no COG driver: the tiled GeoTIFF with overviews
        source.replace(target)
    else:
        source.unlink()


def predict(config: PredictConfig, events: EventWriter, stop: StopRequest) -> dict[str, Any]:
    """Predict each raster of ``config`` into its output (``PredictConfig.predictions``), the model loaded once.
    The result lists each raster's outputs; on a stop request the raster being predicted loses its partial
    outputs and the rasters already predicted are kept."""
    jobs, done = config.predictions(), []
    for _, output in jobs:
        check_output_file(output, "prediction")
    model, metadata = load_model(config.model_dir)
    device = resolve_device(config.device)
    model.to(device).eval()
    for number, (raster, output) in enumerate(jobs):
        if len(jobs) > 1:
            events.log(f"Raster {number + 1} of {len(jobs)}: {raster}.")
        one = config.for_raster(raster, output)
        result = _predict_raster(one, (model, metadata, device), events, stop, (number, len(jobs)))
        if result is None:
            kept = f" The {len(done)} prediction(s) already finished are kept." if done else ""
            events.emit("cancelled", message=f"Prediction cancelled; the partial output was removed.{kept}")
            return {"cancelled": True, "predictions": done}
        done.append(result)
    events.emit("result", predictions=done)
    return {"predictions": done}


def _predict_raster(
    config: PredictConfig,
    network: tuple[torch.nn.Module, dict[str, Any], torch.device],
    events: EventWriter,
    stop: StopRequest,
    part: tuple[int, int],
) -> dict[str, Any] | None:
    """Write one raster's class raster (and optional confidence/probabilities) with ``network`` (model, its
    metadata, device); None on a stop request (its outputs removed). ``part``: this raster's index and the
    number of rasters, for progress."""
    model, metadata, device = network
    classes = model_classes(metadata)
    with ExitStack() as stack:
        src, bands = _open_source(config, metadata, events, stack)
        region, mask = _region(config, src, events)
        grid = _TileGrid.over(region, config, metadata["tile_size"], device)
        batch_size = config.batch_size or prediction_batch(grid.size, device)
        context = _Prediction(model, metadata, device, src, bands, mask, grid, batch_size)
        profile = {
            "width": int(region.width),
            "height": int(region.height),
            "crs": src.crs,
            "transform": window_transform(region, src.transform),
        }
        _remove_unfinished(config.output, events)
        outputs = _Outputs(config, profile, classes, stack)
        try:
            chunks = _chunks(region)
            events.log(
                f"Predicting {int(region.width)} x {int(region.height)} pixels on {device}: tiles of {grid.size} px, "
                f"overlap {config.overlap:.0%} ({config.blending} blending), {len(chunks)} chunk(s)."
            )
            with writing_raster(outputs.main):
                tiles_run = _predict_chunks(context, region, chunks, outputs, events, stop, part)
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
    """Style the class raster, warn when it is all nodata, report the areas, vectorize when asked; the raster's
    result."""
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
    for name in ("confidence", "probabilities"):
        if name in written:
            result[name] = written[name]
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


def _chunks(region: Window) -> list[Window]:
    """The region cut into chunks of at most ``CHUNK`` x ``CHUNK`` pixels, row by row."""
    chunks = []
    for row in range(0, int(region.height), CHUNK):
        for col in range(0, int(region.width), CHUNK):
            chunks.append(
                Window(
                    int(region.col_off) + col,
                    int(region.row_off) + row,
                    min(CHUNK, int(region.width) - col),
                    min(CHUNK, int(region.height) - row),
                )
            )
    return chunks


@dataclass
class _TileGrid:
    """The prediction's tiles: their size, their offsets over the region and their blending weights."""

    size: int
    rows: list[int]
    cols: list[int]
    weights: torch.Tensor  # (size, size), on the prediction's device

    @classmethod
    def over(cls, region: Window, config: PredictConfig, training_tile: int, device: torch.device) -> _TileGrid:
        """The grid of ``config``'s tile size (by default from the training tile) and overlap over ``region``."""
        tile = config.tile_size or prediction_tile(training_tile)
        stride = _tile_stride(tile, config.overlap)
        weights = torch.from_numpy(blend_weights(tile, tile - stride, config.blending)).to(device)
        rows = _tile_starts(int(region.row_off), int(region.height), tile, stride)
        cols = _tile_starts(int(region.col_off), int(region.width), tile, stride)
        return cls(tile, rows, cols, weights)

    def touching(self, chunk: Window) -> list[Window]:
        """The tiles that overlap ``chunk``, row by row."""
        r0, c0, h, w = int(chunk.row_off), int(chunk.col_off), int(chunk.height), int(chunk.width)
        return [
            Window(c, r, self.size, self.size)
            for r in self.rows
            if r < r0 + h and r + self.size > r0
            for c in self.cols
            if c < c0 + w and c + self.size > c0
        ]


@dataclass
class _Prediction:
    """A prediction's fixed context, shared by every chunk: the model, the input, the mask and the tile grid."""

    model: torch.nn.Module
    metadata: dict[str, Any]  # the model's: mode, classes, normalization
    device: torch.device
    src: rasterio.io.DatasetReader  # or its warp to the training resolution
    bands: list[int] | None  # the bands of ``src`` the model reads, in its order; None: all
    mask: PolygonLayer | None
    grid: _TileGrid
    batch_size: int

    def probabilities(self, images: list[np.ndarray]) -> torch.Tensor:
        """Class probabilities ``(tiles, K, size, size)`` of a batch of normalized tiles."""
        x = torch.from_numpy(np.stack(images)).to(self.device)
        with torch.no_grad(), autocast(self.device):
            logits = self.model(x).float()
        return _probabilities(logits, self.metadata["mode"])


def _predict_chunks(
    context: _Prediction,
    region: Window,
    chunks: list[Window],
    outputs: _Outputs,
    events: EventWriter,
    stop: StopRequest,
    part: tuple[int, int] = (0, 1),
) -> int:
    """Predict and write ``chunks`` of ``region`` one by one, with progress (``part``: this raster's index and
    the number of rasters); the number of tiles run."""
    tiles_run = 0
    for done, chunk in enumerate(chunks, start=1):
        result = _predict_chunk(context, chunk, stop)
        if result is None:
            raise _StopRequestedError
        probs, valid, count = result
        tiles_run += count
        outputs.write(
            Window(chunk.col_off - region.col_off, chunk.row_off - region.row_off, chunk.width, chunk.height),
            probs,
            valid,
        )
        fraction = (part[0] + done / len(chunks)) / part[1]
        events.emit("progress", stage="predict", fraction=fraction, batch=done, batches=len(chunks))
    return tiles_run


def _predict_chunk(context: _Prediction, chunk: Window, stop: StopRequest) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Blended class probabilities ``(K, h, w)``, validity and the tile count of one chunk; None on stop."""
    h, w = int(chunk.height), int(chunk.width)
    inside_mask = context.mask.read(chunk) == 1 if context.mask is not None else np.ones((h, w), dtype=bool)
    windows = context.grid.touching(chunk)
    if context.mask is not None:
        windows = [win for win in windows if _overlaps(win, chunk, inside_mask)]
    blend = _ChunkBlend(chunk, len(context.metadata["classes"]), context.grid.weights)
    for start in range(0, len(windows), context.batch_size):
        if stop.requested():
            return None
        batch = windows[start : start + context.batch_size]
        tiles = [_read_tile(context.src, win, context.metadata["normalization"], context.bands) for win in batch]
        probs = context.probabilities([image for image, _ in tiles])
        for win, (_, tile_valid), p in zip(batch, tiles, probs):
            blend.add(win, p, tile_valid)
    blended, valid = blend.result()
    return blended, valid & inside_mask, len(windows)


class _ChunkBlend:
    """One chunk's weighted sum of tile probabilities, the sum of the weights and the valid pixels."""

    def __init__(self, chunk: Window, num_classes: int, weights: torch.Tensor) -> None:
        self.r0, self.c0 = int(chunk.row_off), int(chunk.col_off)
        self.h, self.w = int(chunk.height), int(chunk.width)
        self.weights = weights
        self.acc = torch.zeros((num_classes, self.h, self.w), device=weights.device)
        self.total = torch.zeros((self.h, self.w), device=weights.device)
        self.valid = np.zeros((self.h, self.w), dtype=bool)

    def add(self, win: Window, probs: torch.Tensor, tile_valid: np.ndarray) -> None:
        """Add a tile's weighted probabilities ``(K, tile, tile)`` where it overlaps the chunk."""
        row, col = int(win.row_off), int(win.col_off)
        ys, xs = max(self.r0, row), max(self.c0, col)
        ye, xe = min(self.r0 + self.h, row + int(win.height)), min(self.c0 + self.w, col + int(win.width))
        ty, tx = slice(ys - row, ye - row), slice(xs - col, xe - col)  # in the tile
        cy, cx = slice(ys - self.r0, ye - self.r0), slice(xs - self.c0, xe - self.c0)  # in the chunk
        weights = self.weights[ty, tx]
        self.acc[:, cy, cx] += probs[:, ty, tx] * weights
        self.total[cy, cx] += weights
        self.valid[cy, cx] = tile_valid[ty, tx]

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """The blended probabilities ``(K, h, w)`` and the pixels that are valid and covered by a tile."""
        blended = (self.acc / self.total.clamp_min(1e-12)).cpu().numpy()
        return blended, self.valid & (self.total.cpu().numpy() > 0)


def _overlaps(win: Window, chunk: Window, inside_mask: np.ndarray) -> bool:
    rows = slice(max(0, int(win.row_off - chunk.row_off)), max(0, int(win.row_off + win.height - chunk.row_off)))
    cols = slice(max(0, int(win.col_off - chunk.col_off)), max(0, int(win.col_off + win.width - chunk.col_off)))
    return bool(inside_mask[rows, cols].any())


def _probabilities(logits: torch.Tensor, mode: str) -> torch.Tensor:
    if mode == "binary":
        p = torch.sigmoid(logits[:, 0])
        return torch.stack([1.0 - p, p], dim=1)
    return torch.softmax(logits, dim=1)
