"""Prediction of a class raster with a trained model, window by window (bounded memory)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import torch
from rasterio.crs import CRS
from rasterio.warp import transform_bounds
from rasterio.windows import Window
from rasterio.windows import transform as window_transform

from .cancel import StopRequest
from .colors import hex_to_rgb
from .config import PREDICTION_NODATA, PredictConfig
from .device import autocast, resolve_device
from .errors import UserError
from .events import EventWriter
from .metrics import predicted_indices
from .model_store import load_model, model_classes
from .normalization import normalize
from .rasters import open_raster
from .tiling import tile_windows

RESOLUTION_WARNING_RATIO = 2.0


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
    col0, row0 = max(0, math.floor(min(cols))), max(0, math.floor(min(rows)))
    col1, row1 = min(src.width, math.ceil(max(cols))), min(src.height, math.ceil(max(rows)))
    if col1 <= col0 or row1 <= row0:
        raise UserError(
            f"The extent {tuple(round(v, 6) for v in extent)} does not overlap the raster {Path(src.name).name}."
        )
    return Window(col0, row0, col1 - col0, row1 - row0)


def _check_compatible(src: rasterio.io.DatasetReader, metadata: dict[str, Any], events: EventWriter) -> None:
    name = Path(src.name).name
    if src.count != metadata["in_channels"]:
        raise UserError(
            f"The raster {name} has {src.count} band(s) but the model was trained on {metadata['in_channels']}: "
            "predict on a raster with the same bands as the training raster."
        )
    trained = metadata.get("resolution")
    if trained:
        ratio = max(abs(src.res[0]) / trained[0], trained[0] / abs(src.res[0]))
        if ratio > RESOLUTION_WARNING_RATIO:
            events.log(
                f"The raster {name} has {abs(src.res[0]):g} units per pixel but the model was trained at "
                f"{trained[0]:g}: predictions may be poor; resample the raster to the training resolution.",
                level="warning",
            )


def _read_padded(
    src: rasterio.io.DatasetReader, window: Window, tile: int, stats: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Normalized tile ``(bands, tile, tile)`` for ``window`` (inside the raster), padded by reflection."""
    data = src.read(window=window, out_dtype="float32")
    valid = np.isfinite(data).all(axis=0)
    if src.nodata is not None and np.isfinite(src.nodata):
        valid &= (data != np.float32(src.nodata)).all(axis=0)
    data = normalize(data, valid, stats)
    pad = ((0, 0), (0, tile - data.shape[1]), (0, tile - data.shape[2]))
    return np.pad(data, pad, mode="symmetric"), valid


def predict(config: PredictConfig, events: EventWriter, stop: StopRequest) -> dict[str, Any]:
    """Write the class raster for ``config``; on a stop request remove the partial file."""
    model, metadata = load_model(config.model_dir)
    device = resolve_device(config.device)
    model.to(device).eval()
    classes = model_classes(metadata)
    values = np.array([c.value for c in classes])
    dtype = "uint8" if values.max() < PREDICTION_NODATA else "uint16"
    nodata = PREDICTION_NODATA if dtype == "uint8" else 65535
    tile = metadata["tile_size"]
    output = Path(config.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with open_raster(config.raster) as src:
        _check_compatible(src, metadata, events)
        region = target_window(src, config.extent, config.extent_crs)
        profile = {
            "driver": "GTiff",
            "width": int(region.width),
            "height": int(region.height),
            "count": 1,
            "dtype": dtype,
            "nodata": nodata,
            "crs": src.crs,
            "transform": window_transform(region, src.transform),
            "tiled": True,
            "blockxsize": 256,
            "blockysize": 256,
            "compress": "deflate",
        }
        windows = [
            Window(
                region.col_off + w.col_off,
                region.row_off + w.row_off,
                min(tile, region.width - w.col_off),
                min(tile, region.height - w.row_off),
            )
            for w in tile_windows(int(region.width), int(region.height), tile, tile)
        ]
        events.log(
            f"Predicting {int(region.width)} x {int(region.height)} pixels in {len(windows)} tile(s) on {device}."
        )
        with rasterio.open(output, "w", **profile) as dst:
            dst.write_colormap(1, {c.value: (*hex_to_rgb(c.color), 255) for c in classes})
            dst.update_tags(1, CLASS_NAMES=";".join(f"{c.value}={c.name}" for c in classes))
            for start in range(0, len(windows), config.batch_size):
                if stop.requested():
                    break
                batch = windows[start : start + config.batch_size]
                tiles = [_read_padded(src, w, tile, metadata["normalization"]) for w in batch]
                x = torch.from_numpy(np.stack([t[0] for t in tiles])).to(device)
                with torch.no_grad(), autocast(device):
                    indices = predicted_indices(model(x).float(), metadata["mode"]).cpu().numpy()
                for w, (_, valid), idx in zip(batch, tiles, indices):
                    h, wd = int(w.height), int(w.width)
                    out = values[idx[:h, :wd]].astype(dtype)
                    out[~valid] = nodata
                    dst.write(out, 1, window=Window(w.col_off - region.col_off, w.row_off - region.row_off, wd, h))
                done = min(start + config.batch_size, len(windows))
                events.emit("progress", stage="predict", fraction=done / len(windows), batch=done, batches=len(windows))
    if stop.requested():
        output.unlink(missing_ok=True)
        events.emit("cancelled", message="Prediction cancelled; the partial output was removed.")
        return {"cancelled": True}
    result = {"prediction": str(output), "classes": [c.__dict__ for c in classes]}
    events.emit("result", **result)
    return result
