"""Raster helpers for worker-side tests."""

from __future__ import annotations

from pathlib import Path

import rasterio
from rasterio.windows import Window


def crop_raster(source: Path, target: Path, window: Window) -> Path:
    """Write ``window`` of ``source`` to ``target`` with its georeferencing and nodata."""
    with rasterio.open(source) as src:
        profile = src.profile | {
            "width": int(window.width),
            "height": int(window.height),
            "transform": src.window_transform(window),
            "tiled": False,
        }
        profile.pop("blockxsize", None)
        profile.pop("blockysize", None)
        with rasterio.open(target, "w", **profile) as dst:
            dst.write(src.read(window=window))
    return target
