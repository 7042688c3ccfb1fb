"""Shared test fixtures: the real sample data and the worker command.

The suite runs in two processes (see the Makefile): the worker side (tests/core, tests/losses:
torch, rasterio) and the QGIS side (tests/tasks, tests/ui, tests/test_plugin.py). Nothing here
imports either side at module level.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def _data_file(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.is_file():
        pytest.fail(f"Sample data {path} is missing: run `make data` (make test does it).")
    return path


@pytest.fixture(scope="session")
def landcover() -> dict[str, Path]:
    """The multiclass land-cover sample (shared/DATA.md)."""
    return {
        "image": _data_file("landcover", "landsat_multiband.tif"),
        "strata": _data_file("landcover", "strata.tif"),
        "polygons": _data_file("landcover", "landsat96_polygons.shp"),
        "pixels": _data_file("landcover", "landsat96_labelled_pixels.tif"),
    }


@pytest.fixture
def crop(landcover, tmp_path) -> Path:
    """QGIS-side tests: 192 x 192 pixels of the land-cover image (with its nodata border), cut by
    QGIS's GDAL (the worker-side tests have ``landcover_crop``, cut by rasterio)."""
    from osgeo import gdal

    path = tmp_path / "crop.tif"
    gdal.Translate(str(path), str(landcover["image"]), srcWin=[0, 0, 192, 192])
    return path


@pytest.fixture(scope="session")
def buildings() -> dict[str, Path]:
    """The binary buildings sample (shared/DATA.md)."""
    return {
        "image": _data_file("buildings", "sample_geotiff.tif"),
        "footprints": _data_file("buildings", "geotiff_labels.geojson"),
    }


def run_worker(*args: str, timeout: float = 600, env: dict[str, str] | None = None) -> tuple[int, list[dict]]:
    """Run ``python -m segmentation_trainer ARGS --events`` (``env`` added to this environment); its exit
    status and events."""
    completed = subprocess.run(
        [sys.executable, "-m", "segmentation_trainer", *args, "--events"],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ | {"PYTHONUNBUFFERED": "1"} | (env or {}),
    )
    events = []
    for line in completed.stdout.splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"Worker printed a non-JSON line with --events: {line!r}\nstderr: {completed.stderr}")
    return completed.returncode, events


@pytest.fixture(scope="session")
def worker():
    return run_worker


@pytest.fixture(scope="session")
def qgis_app():
    """Real QGIS, offscreen (QGIS-side tests only)."""
    from qgis_helpers import start_qgis

    return start_qgis()


@pytest.fixture
def iface(qgis_app):
    from qgis.core import QgsProject
    from qgis_helpers import StubIface

    QgsProject.instance().clear()
    stub = StubIface()
    yield stub
    QgsProject.instance().clear()


@pytest.fixture(scope="session")
def small_model(landcover, tmp_path_factory) -> Path:
    """A U-Net/ResNet-18 trained for one epoch on the land-cover sample by the worker process (so
    that QGIS-side tests never import torch)."""
    from worker_helpers import train_args

    folder = tmp_path_factory.mktemp("small_model")
    code, events = run_worker(
        *train_args(landcover["image"], landcover["strata"], folder, epochs=1, tile_size=128, encoder="resnet18")
    )
    assert code == 0, events
    return folder
