"""Helpers for worker-side tests: raster crops and a silent event writer."""

from __future__ import annotations

import io
from pathlib import Path

import rasterio
from rasterio.windows import Window

from segmentation_trainer.core.common.events import EventWriter


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


def quiet() -> EventWriter:
    """An event writer whose JSON lines go nowhere (a test that only needs the work done)."""
    return EventWriter(io.StringIO(), as_json=True)
