"""Prediction memory and speed on large rasters: a VRT mosaic of the land-cover sample.

Usage: python benchmarks/inference.py MODEL_DIR [--sizes 10000 20000] [--overlaps 0.25] [--device cpu]

For each size, builds a VRT that tiles the 489 x 443 land-cover image (5 bands) to at least
SIZE x SIZE pixels, predicts it with the worker in a child process, and records that process's
peak resident memory (``ru_maxrss``) and the throughput in megapixels per second. Several
``--overlaps`` compare the cost of blending (0 / 0.25 / 0.5). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rasterio

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "landcover" / "landsat_multiband.tif"


def build_mosaic(size: int, folder: Path) -> Path:
    """A VRT repeating the sample image on a grid until it is at least ``size`` pixels a side."""
    with rasterio.open(SAMPLE) as src:
        width, height, count, transform, crs = src.width, src.height, src.count, src.transform, src.crs
        nodata, dtype = src.nodata, src.dtypes[0]
    nx, ny = math.ceil(size / width), math.ceil(size / height)
    total_w, total_h = nx * width, ny * height
    gdal_type = {"float32": "Float32", "uint16": "UInt16", "uint8": "Byte"}[dtype]
    bands = []
    for b in range(1, count + 1):
        sources = "".join(
            f'<ComplexSource><SourceFilename relativeToVRT="0">{SAMPLE}</SourceFilename>'
            f'<SourceBand>{b}</SourceBand><SrcRect xOff="0" yOff="0" xSize="{width}" ySize="{height}"/>'
            f'<DstRect xOff="{i * width}" yOff="{j * height}" xSize="{width}" ySize="{height}"/>'
            f"<NODATA>{nodata}</NODATA></ComplexSource>"
            for j in range(ny)
            for i in range(nx)
        )
        bands.append(
            f'<VRTRasterBand dataType="{gdal_type}" band="{b}"><NoDataValue>{nodata}</NoDataValue>'
            f"{sources}</VRTRasterBand>"
        )
    geo = ", ".join(str(v) for v in (transform.c, transform.a, transform.b, transform.f, transform.d, transform.e))
    xml = (
        f'<VRTDataset rasterXSize="{total_w}" rasterYSize="{total_h}"><SRS>{crs.to_wkt()}</SRS>'
        f"<GeoTransform>{geo}</GeoTransform>{''.join(bands)}</VRTDataset>"
    )
    path = folder / f"mosaic_{size}.vrt"
    path.write_text(xml, encoding="utf-8")
    return path


def run(model: str, raster: Path, output: Path, overlap: float, device: str) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of one worker prediction in a child process."""
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "segmentation_trainer",
            "predict",
            "--model",
            model,
            "--raster",
            str(raster),
            "--output",
            str(output),
            "--overlap",
            str(overlap),
            "--device",
            device,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        env=os.environ | {"HF_HUB_OFFLINE": "1"},
    )
    seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000])
    parser.add_argument("--overlaps", type=float, nargs="+", default=[0.25])
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs, device {args.device}, {time.strftime('%Y-%m-%d')}, "
        f"model {args.model}\n"
    )
    print("| raster | overlap | time | megapixels/s | peak RSS of the worker |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            mosaic = build_mosaic(size, Path(tmp))
            with rasterio.open(mosaic) as src:
                pixels = src.width * src.height
                label = f"{src.width} x {src.height} x {src.count}"
            for overlap in args.overlaps:
                # Each size and overlap in a fresh child so that ru_maxrss is its own.
                probe = subprocess.run(
                    [sys.executable, __file__, "--child", args.model, str(mosaic), str(overlap), args.device, tmp],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                seconds, peak = map(float, probe.stdout.split())
                print(
                    f"| {label} | {overlap:.0%} | {seconds:.0f} s | {pixels / seconds / 1e6:.2f} | {peak:.0f} MiB |",
                    flush=True,
                )
                (Path(tmp) / "prediction.tif").unlink(missing_ok=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, model_dir, raster, overlap, device, folder = sys.argv
        print(*run(model_dir, Path(raster), Path(folder) / "prediction.tif", float(overlap), device))
    else:
        main()
