"""Worker-side fixtures: crops of the real sample data."""

from __future__ import annotations

from pathlib import Path

import pytest
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


@pytest.fixture(scope="session")
def landcover_crop(landcover, tmp_path_factory) -> Path:
    """192 x 192 pixels of the land-cover image, including its nodata border (top-left corner)."""
    return crop_raster(landcover["image"], tmp_path_factory.mktemp("crop") / "landsat_crop.tif", Window(0, 0, 192, 192))
