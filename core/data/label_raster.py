"""Writing the labels a run would train on as a class raster on the image grid (to check them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.windows import Window

from ..common.colors import hex_to_rgb
from ..common.config import IGNORE_INDEX, PREDICTION_NODATA, TrainConfig
from ..common.errors import UserError
from ..common.events import EventWriter
from ..common.files import partial
from .labels import open_labels
from .rasters import raster_info, writing_raster
from .tiling import tile_windows

BLOCK = 1024


def write_label_raster(config: TrainConfig, output: str, events: EventWriter) -> dict[str, Any]:
    """Rasterize/warp ``config``'s labels onto its raster's grid; unlabelled pixels are nodata."""
    if len(config.raster) > 1 or len(config.labels) > 1:
        raise UserError("Rasterize writes the labels of one raster: give one raster and one label layer.")
    image = raster_info(config.raster[0])
    labels = open_labels(config, config.labels[0], image, events.log)
    values = np.array([c.value for c in labels.classes])
    dtype = "uint8" if values.max() < PREDICTION_NODATA else "uint16"
    nodata = PREDICTION_NODATA if dtype == "uint8" else 65535
    lookup = np.full(256, nodata, dtype=dtype)
    lookup[: len(values)] = values
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    profile = {
        "driver": "GTiff",
        "width": image.width,
        "height": image.height,
        "count": 1,
        "dtype": dtype,
        "nodata": nodata,
        "crs": CRS.from_wkt(image.crs_wkt),
        "transform": rasterio.Affine(*image.transform),
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
    }
    counts = np.zeros(len(values), dtype=np.int64)
    unfinished = partial(Path(output))  # renamed into place when complete: a kill midway leaves an earlier one whole
    try:
        with writing_raster(output), rasterio.open(unfinished, "w", **profile) as dst:
            dst.write_colormap(1, {c.value: (*hex_to_rgb(c.color), 255) for c in labels.classes})
            for tile in tile_windows(image.width, image.height, BLOCK, BLOCK):
                window = Window(tile.col_off, tile.row_off, min(BLOCK, image.width), min(BLOCK, image.height))
                indices = labels.read(window)
                counts += np.bincount(indices[indices != IGNORE_INDEX], minlength=len(values))[: len(values)]
                dst.write(lookup[indices], 1, window=window)
        os.replace(unfinished, output)
    finally:
        unfinished.unlink(missing_ok=True)
    result = {
        "labels": output,
        "pixels_per_class": {c.name: int(n) for c, n in zip(labels.classes, counts)},
    }
    events.emit("result", **result)
    return result
