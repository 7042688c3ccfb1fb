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

from ..common.colors import hex_to_rgb
from ..common.config import PREDICTION_NODATA, ClassInfo, PredictConfig
from ..common.errors import UserError
from ..common.events import EventWriter
from ..data.labels import PolygonLayer, area_mask
from ..data.normalization import normalize
from ..data.rasters import RasterInfo, open_raster, valid_pixels
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


def _check_compatible(src, metadata: dict[str, Any], events: EventWriter, name: str, resampled: bool) -> None:
    if src.count != metadata["in_channels"]:
        raise UserError(
            f"The raster {name} has {src.count} band(s) but the model was trained on {metadata['in_channels']}: "
            "predict on a raster with the same bands as the training raster."
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


def _read_tile(src, window: Window, stats: dict) -> tuple[np.ndarray, np.ndarray]:
    """Normalized ``(bands, tile, tile)`` and its valid mask; beyond the raster, reflection (not valid)."""
    inside = window.intersection(Window(0, 0, src.width, src.height))
    data = src.read(window=inside, out_dtype="float32")
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
                path = self.main.with_name(f"{self.main.stem}_{name}.tif")
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
        return path.with_name(path.name + ".partial.tif")

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
        """Overviews, then COG layout where available; replaces the final files."""
        for dataset in self.files.values():
            dataset.close()
        for name, path in self.paths.items():
            tmp = self._tmp(path)
            # Reopened: GDAL sees the colour table written at creation only once the file is closed.
            with rasterio.open(tmp, "r+") as dataset:
                dataset.build_overviews([2, 4, 8, 16, 32], Resampling.mode if name == "classes" else Resampling.average)
            try:
                rasterio.shutil.copy(
                    tmp, path, driver="COG", COMPRESS="DEFLATE", BIGTIFF="IF_SAFER", OVERVIEWS="FORCE_USE_EXISTING"
                )
                tmp.unlink()
            except rasterio.errors.RasterioError:  # no COG driver: the tiled GeoTIFF with overviews
                tmp.replace(path)
        return {name: str(path) for name, path in self.paths.items()}

    def discard(self) -> None:
        for name, dataset in self.files.items():
            if not dataset.closed:
                dataset.close()
            self._tmp(self.paths[name]).unlink(missing_ok=True)


def predict(config: PredictConfig, events: EventWriter, stop: StopRequest) -> dict[str, Any]:
    """Write the class raster (and optional confidence/probabilities); on a stop request remove them."""
    model, metadata = load_model(config.model_dir)
    device = resolve_device(config.device)
    model.to(device).eval()
    classes = model_classes(metadata)
    tile = config.tile_size or prediction_tile(metadata["tile_size"])
    stride = _tile_stride(tile, config.overlap)
    weights = torch.from_numpy(blend_weights(tile, tile - stride, config.blending)).to(device)
    with ExitStack() as stack:
        raw = stack.enter_context(open_raster(config.raster))
        src = _open_input(raw, metadata, config.resample_to_training)
        if src is not raw:
            stack.enter_context(src)
            events.log(f"Raster warped to the training resolution ({metadata['resolution'][0]:g}) for prediction.")
        _check_compatible(src, metadata, events, Path(config.raster).name, src is not raw)
        region = target_window(src, config.extent, config.extent_crs)
        mask = _mask(config, src, events) if config.mask else None
        if mask is not None:
            region = _masked_region(region, mask, src)
        profile = {
            "width": int(region.width),
            "height": int(region.height),
            "crs": src.crs,
            "transform": window_transform(region, src.transform),
        }
        outputs = _Outputs(config, profile, classes, stack)
        try:
            chunks = _chunks(region)
            tiles_run = 0
            events.log(
                f"Predicting {int(region.width)} x {int(region.height)} pixels on {device}: tiles of {tile} px, "
                f"overlap {config.overlap:.0%} ({config.blending} blending), {len(chunks)} chunk(s)."
            )
            cols = _tile_starts(int(region.col_off), int(region.width), tile, stride)
            rows = _tile_starts(int(region.row_off), int(region.height), tile, stride)
            for done, chunk in enumerate(chunks, start=1):
                result = _predict_chunk(
                    model, src, chunk, rows, cols, tile, weights, metadata, mask, config, device, stop
                )
                if result is None:
                    raise _StopRequestedError
                probs, valid, count = result
                tiles_run += count
                outputs.write(
                    Window(chunk.col_off - region.col_off, chunk.row_off - region.row_off, chunk.width, chunk.height),
                    probs,
                    valid,
                )
                events.emit("progress", stage="predict", fraction=done / len(chunks), batch=done, batches=len(chunks))
            written = outputs.finish()
        except _StopRequestedError:
            outputs.discard()
            events.emit("cancelled", message="Prediction cancelled; the partial output was removed.")
            return {"cancelled": True}
        except BaseException:
            outputs.discard()
            raise
    write_paletted_style(outputs.main, classes)
    areas = _areas_ha(outputs.counts, classes, profile)
    if areas:
        events.log("Area per class (ha): " + ", ".join(f"{n} {a:,.1f}" for n, a in areas.items()))
    result = {
        "prediction": written["classes"],
        "classes": [c.__dict__ for c in classes],
        "areas_ha": areas,
        "tiles": tiles_run,
    }
    for name in ("confidence", "probabilities"):
        if name in written:
            result[name] = written[name]
    if config.vectorize:
        polygons = outputs.main.with_suffix(".gpkg")
        count = vectorize(str(outputs.main), str(polygons), classes, config.simplify)
        events.log(f"{count} class polygons written to {polygons}.")
        result["polygons"] = str(polygons)
    events.emit("result", **result)
    return result


class _StopRequestedError(Exception):
    """Raised inside the chunk loop when a stop was requested."""


def _areas_ha(counts: np.ndarray, classes: list[ClassInfo], profile: dict) -> dict[str, float]:
    """Hectares per class, for projected CRSs in metres (empty otherwise)."""
    pixel_area, crs = abs(profile["transform"].a * profile["transform"].e), profile["crs"]
    if crs is None or not crs.is_projected or (crs.linear_units or "").lower() not in ("metre", "meter", "m"):
        return {}
    return {c.name: float(n * pixel_area / 10_000.0) for c, n in zip(classes, counts)}


def _mask(config: PredictConfig, src, events: EventWriter) -> PolygonLayer:
    return area_mask(config.mask, config.mask_layer, RasterInfo.of(src, config.raster), events.log, "mask")


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


def _predict_chunk(model, src, chunk: Window, rows, cols, tile, weights, metadata, mask, config, device, stop):
    """Blended class probabilities ``(K, h, w)``, validity and the tile count of one chunk; None on stop."""
    c0, r0 = int(chunk.col_off), int(chunk.row_off)
    h, w = int(chunk.height), int(chunk.width)
    inside_mask = mask.read(chunk) == 1 if mask is not None else np.ones((h, w), dtype=bool)
    windows = [
        Window(c, r, tile, tile)
        for r in rows
        if r < r0 + h and r + tile > r0
        for c in cols
        if c < c0 + w and c + tile > c0
    ]
    if mask is not None:
        windows = [win for win in windows if _overlaps(win, chunk, inside_mask)]
    k = len(metadata["classes"])
    acc = torch.zeros((k, h, w), device=device)
    total = torch.zeros((h, w), device=device)
    valid = np.zeros((h, w), dtype=bool)
    batch_size = config.batch_size or prediction_batch(tile, device)
    for start in range(0, len(windows), batch_size):
        if stop.requested():
            return None
        batch = windows[start : start + batch_size]
        tiles = [_read_tile(src, win, metadata["normalization"]) for win in batch]
        x = torch.from_numpy(np.stack([t[0] for t in tiles])).to(device)
        with torch.no_grad(), autocast(device):
            logits = model(x).float()
        probs = _probabilities(logits, metadata["mode"])
        for win, (_, tile_valid), p in zip(batch, tiles, probs):
            ys, xs = max(r0, int(win.row_off)), max(c0, int(win.col_off))
            ye, xe = min(r0 + h, int(win.row_off) + tile), min(c0 + w, int(win.col_off) + tile)
            ty, tx = ys - int(win.row_off), xs - int(win.col_off)
            cy, cx = ys - r0, xs - c0
            wy = weights[ty : ty + ye - ys, tx : tx + xe - xs]
            acc[:, cy : cy + ye - ys, cx : cx + xe - xs] += p[:, ty : ty + ye - ys, tx : tx + xe - xs] * wy
            total[cy : cy + ye - ys, cx : cx + xe - xs] += wy
            valid[cy : cy + ye - ys, cx : cx + xe - xs] = tile_valid[ty : ty + ye - ys, tx : tx + xe - xs]
    blended = (acc / total.clamp_min(1e-12)).cpu().numpy()
    return blended, valid & inside_mask & (total.cpu().numpy() > 0), len(windows)


def _overlaps(win: Window, chunk: Window, inside_mask: np.ndarray) -> bool:
    rows = slice(max(0, int(win.row_off - chunk.row_off)), max(0, int(win.row_off + win.height - chunk.row_off)))
    cols = slice(max(0, int(win.col_off - chunk.col_off)), max(0, int(win.col_off + win.width - chunk.col_off)))
    return bool(inside_mask[rows, cols].any())


def _probabilities(logits: torch.Tensor, mode: str) -> torch.Tensor:
    if mode == "binary":
        p = torch.sigmoid(logits[:, 0])
        return torch.stack([1.0 - p, p], dim=1)
    return torch.softmax(logits, dim=1)
