"""Training on many large rasters: the worker's peak memory does not grow with the total raster size.

Usage: python benchmarks/many_rasters.py [--folder outputs/bench_many_rasters] [--sizes 1250 2500 5000]

Writes sets of four rasters made by repeating the land-cover sample (5 bands, float32, tiled GeoTIFFs), four
of 1250², 2500² and 5000² px (the last 100 MP: 10,000² px in all), each with a class raster that is labelled
in a 640 x 640 px corner only (a few labelled areas on large scenes) and unlabelled elsewhere. Every set
therefore trains on the same tiles; only the size of the rasters they are read from differs. A last run
trains on one VRT mosaic of the four largest rasters and its label VRT. GDAL's block cache, capped at 256 MB
by the worker, holds the smallest set whole (125 MB), the others only in part: memory grows until the cache is
full, then no more.

Each run is one worker process, as users run it: ``train`` with several ``--raster``/``--labels``, one epoch,
U-Net/ResNet-18, 128 px tiles, batch 4, ``--cache never`` (the default ``auto`` keeps rasters under 512 MB in
memory, which the small set is). Its peak resident memory is read from the OS (``getrusage`` of the child).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import Affine

DATA = Path(__file__).resolve().parent.parent / "data" / "landcover"
LABELLED = 640  # the labelled corner's side, in pixels
RASTERS = 4


def _repeat(data: np.ndarray, size: int) -> np.ndarray:
    """``data`` ``(bands, h, w)`` repeated (mirrored, so that no seam shows) to ``(bands, size, size)``."""
    rows = np.concatenate([data, data[:, ::-1]], axis=1)
    tile = np.concatenate([rows, rows[:, :, ::-1]], axis=2)
    reps = (1, -(-size // tile.shape[1]), -(-size // tile.shape[2]))
    return np.tile(tile, reps)[:, :size, :size]


def write_set(folder: Path, size: int) -> tuple[list[Path], list[Path]]:
    """Four rasters of ``size``² px side by side (west to east) and their class rasters; written once."""
    folder.mkdir(parents=True, exist_ok=True)
    with rasterio.open(DATA / "landsat_multiband.tif") as src, rasterio.open(DATA / "strata.tif") as labels:
        image, profile, strata, nodata = src.read(), src.profile, labels.read(1), labels.nodata
    images, classes = [], []
    for i in range(RASTERS):
        images.append(folder / f"scene{i}.tif")
        classes.append(folder / f"scene{i}_labels.tif")
        if images[-1].exists() and classes[-1].exists():
            continue
        origin = profile["transform"]
        transform = Affine(origin.a, 0, origin.c + i * size * origin.a, 0, origin.e, origin.f)
        common = {
            "width": size,
            "height": size,
            "transform": transform,
            "tiled": True,
            "blockxsize": 256,
            "blockysize": 256,
            "compress": "deflate",
            "crs": profile["crs"],
            "driver": "GTiff",
        }
        with rasterio.open(images[-1], "w", **common, count=5, dtype="float32", nodata=profile["nodata"]) as dst:
            dst.write(_repeat(image, size))
        corner = np.full((size, size), 255, dtype="uint8")
        corner[:LABELLED, :LABELLED] = _repeat(np.where(strata == nodata, 255, strata)[None], LABELLED)[0]
        with rasterio.open(classes[-1], "w", **common, count=1, dtype="uint8", nodata=255) as dst:
            dst.write(corner, 1)
    return images, classes


def mosaic(paths: list[Path], target: Path) -> Path:
    """A VRT of ``paths`` (side by side), written with gdalbuildvrt."""
    if not target.exists():
        subprocess.run(["gdalbuildvrt", "-q", str(target), *map(str, paths)], check=True)
    return target


def train(images: list[Path], labels: list[Path], output: Path) -> tuple[float, float]:
    """Peak resident memory (MiB) and wall time (s) of one training worker on ``images`` and ``labels``."""
    args = [sys.executable, "-m", "segmentation_trainer", "train", "--output-dir", str(output)]
    for image, label in zip(images, labels):
        args += ["--raster", str(image), "--labels", str(label)]
    args += [
        "--epochs",
        "1",
        "--encoder",
        "resnet18",
        "--encoder-weights",
        "none",
        "--tile-size",
        "128",
        "--batch-size",
        "4",
        "--cache",
        "never",
        "--device",
        "cpu",
    ]
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", probe, *args], check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1]) / 1024, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", default="outputs/bench_many_rasters")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1250, 2500, 5000])
    args = parser.parse_args()
    folder = Path(args.folder)
    runs = {}
    for size in args.sizes:
        images, labels = write_set(folder / str(size), size)
        runs[f"4 rasters of {size}² px ({RASTERS * size**2 / 1e6:.1f} MP)"] = (images, labels)
    images, labels = runs[list(runs)[-1]]
    largest = folder / str(args.sizes[-1])
    vrt = (mosaic(images, largest / "mosaic.vrt"), mosaic(labels, largest / "labels.vrt"))
    runs[f"1 VRT of those 4 ({RASTERS * args.sizes[-1]} x {args.sizes[-1]} px)"] = ([vrt[0]], [vrt[1]])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; python {platform.python_version()}")
    print("| rasters | peak RSS | wall time |\n|---|---|---|")
    baseline = None
    for number, (title, (images, labels)) in enumerate(runs.items()):
        peak, seconds = train(images, labels, folder / f"model{number}")
        baseline = baseline or peak
        print(f"| {title} | {peak:.0f} MiB ({peak / baseline:.2f}x) | {seconds:.0f} s |", flush=True)


if __name__ == "__main__":
    main()
