"""Worker-side fixtures: crops of the real sample data."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasterio.windows import Window
from worker_helpers import crop_raster


@pytest.fixture(scope="session")
def landcover_crop(landcover, tmp_path_factory) -> Path:
    """192 x 192 pixels of the land-cover image, including its nodata border (top-left corner)."""
    return crop_raster(landcover["image"], tmp_path_factory.mktemp("crop") / "landsat_crop.tif", Window(0, 0, 192, 192))
