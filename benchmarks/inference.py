"""Prediction speed against the forward-pass floor, seams against one pass, and memory on large rasters.

Usage: python benchmarks/inference.py MODEL_DIR {speed,seams,memory} [--repeats 3] [--against CHECKOUT]
       [--sizes 10000 20000] [--tiles 512 1024] [--margins 0 32 64 128] [--device cpu]

The rasters are VRT mosaics repeating the 489 x 443 land-cover sample (5 bands, float32); ``speed`` and
``seams`` use 4 x 5 copies (1956 x 2215 px), as issue 16 measured; ``memory`` copies of a GeoTIFF of those 4 x 5
copies (few VRT sources: ``mosaic_of_size``).

- ``speed``: the floor (the network once over every pixel: non-overlapping tiles of the default tile size,
  the raster already normalized in memory, no reading, blending or writing), ``predict`` with default settings
  and ``predict --margin 0``; each in its own process, timed inside it after start-up (imports), the variants
  alternating, ``--repeats`` times, each with the worker's settings (GDAL's cache, the OpenMP spinning of
  ``core.runtime.openmp``) as the checkout being timed has them; prints each run, the medians and their ratios
  to the floor. ``--against
  CHECKOUT`` (another checkout of the plugin, e.g. a ``git worktree`` of an earlier commit) adds its default and
  margin 0 predictions to the same alternation: old and new code side by side, under the same load.
- ``seams``: for each tile size and margin, the class raster's agreement with one pass over the whole raster
  (one tile), the disagreement where tiles meet against elsewhere, and the pixels the network computes per
  raster pixel; in this process.
- ``memory``: ``predict`` with default settings on mosaics of at least SIZE x SIZE px, each by the worker
  (``python -m segmentation_trainer predict --events``) in its own process: its peak resident memory
  (``getrusage``) and, on Linux, its resident memory sampled every 5 ms and grouped by output chunk (the worker's
  progress events): the lowest, median and highest chunk peak, and the peak while the overviews and the COG
  copy are written (``--each-chunk``: every chunk's peak, in order). The chunk peaks show whether the peak grows
  with the raster (a buffer that grows) or only varies from chunk to chunk (the C heap's free blocks;
  ``core/runtime/allocator.py``).
Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
try:  # PyTorch's idle threads spin as in the worker of the checkout being timed (none before 2026-11-25)
    from segmentation_trainer.core.runtime.openmp import limit_spinning
except ImportError:
    pass
else:
    limit_spinning()  # before PyTorch is imported

import numpy as np
import rasterio
import torch

from segmentation_trainer.core.common.config import PredictConfig
from segmentation_trainer.core.common.events import EventWriter, parse_event
from segmentation_trainer.core.data.normalization import normalize
from segmentation_trainer.core.data.rasters import valid_pixels
from segmentation_trainer.core.inference.prediction import TileAxis, predict, prediction_tile
from segmentation_trainer.core.models.model_store import load_model
from segmentation_trainer.core.runtime.cancel import StopRequest

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "landcover" / "landsat_multiband.tif"
COPIES = (4, 5)  # columns and rows of the speed and seams mosaic: 1956 x 2215 px
VARIANTS = {"floor": None, "default": {}, "margin 0": {"margin": 0}}
SAMPLE_SECONDS = 0.005  # between two readings of the worker's resident memory


def build_mosaic(columns: int, rows: int, folder: Path, source: Path = SAMPLE) -> Path:
    """A VRT repeating the image ``source`` (by default the sample) ``columns`` x ``rows`` times."""
    with rasterio.open(source) as src:
        width, height, count, transform, crs = src.width, src.height, src.count, src.transform, src.crs
        nodata, dtype = src.nodata, src.dtypes[0]
    gdal_type = {"float32": "Float32", "uint16": "UInt16", "uint8": "Byte"}[dtype]
    bands = []
    for b in range(1, count + 1):
        sources = "".join(
            f'<ComplexSource><SourceFilename relativeToVRT="0">{source}</SourceFilename>'
            f'<SourceBand>{b}</SourceBand><SrcRect xOff="0" yOff="0" xSize="{width}" ySize="{height}"/>'
            f'<DstRect xOff="{i * width}" yOff="{j * height}" xSize="{width}" ySize="{height}"/>'
            f"<NODATA>{nodata}</NODATA></ComplexSource>"
            for j in range(rows)
            for i in range(columns)
        )
        bands.append(
            f'<VRTRasterBand dataType="{gdal_type}" band="{b}"><NoDataValue>{nodata}</NoDataValue>'
            f"{sources}</VRTRasterBand>"
        )
    geo = ", ".join(str(v) for v in (transform.c, transform.a, transform.b, transform.f, transform.d, transform.e))
    xml = (
        f'<VRTDataset rasterXSize="{columns * width}" rasterYSize="{rows * height}"><SRS>{crs.to_wkt()}</SRS>'
        f"<GeoTransform>{geo}</GeoTransform>{''.join(bands)}</VRTDataset>"
    )
    path = folder / f"{source.stem}_{columns}x{rows}.vrt"
    path.write_text(xml, encoding="utf-8")
    return path


def mosaic_of_size(size: int, folder: Path) -> Path:
    """A mosaic of at least ``size`` x ``size`` px: a VRT of copies of a GeoTIFF block, the sample repeated
    ``COPIES`` times (1956 x 2215 px), so that the VRT has few sources (30 at 10,000², 110 at 20,000²). GDAL's
    VRT costs memory per source (about 1.7 KB: 58 MiB more at 20,000² than at 10,000² with the sample itself as
    the source, 9,430 sources against 2,415), which would be measured as the prediction's."""
    block = folder / "block.tif"
    if not block.exists():
        with rasterio.open(build_mosaic(*COPIES, folder)) as src:
            profile = src.profile | {"driver": "GTiff", "tiled": True, "blockxsize": 256, "blockysize": 256}
            with rasterio.open(block, "w", **profile, compress="deflate") as out:
                out.write(src.read())
    with rasterio.open(block) as src:
        return build_mosaic(math.ceil(size / src.width), math.ceil(size / src.height), folder, block)


def run_predict(model: str, raster: Path, output: Path, device: str, **options) -> dict:
    """One prediction in this process; its result."""
    config = PredictConfig(model_dir=model, raster=str(raster), output=str(output), device=device, **options)
    return predict(config, EventWriter(io.StringIO()), StopRequest())["predictions"][0]


def floor_seconds(model_dir: str, raster: Path, device: str) -> float:
    """Seconds of the network once over every pixel of ``raster`` (normalized, in memory): non-overlapping tiles
    of the default tile size, fitted to the raster."""
    model, metadata = load_model(model_dir)
    model.to(device).eval()
    with rasterio.open(raster) as src:
        data = src.read(out_dtype="float32")
        data = normalize(data, valid_pixels(data, src.nodata), metadata["normalization"])
    tile = prediction_tile(metadata["tile_size"])
    rows, cols = (TileAxis.over(0, n, tile, 0) for n in data.shape[1:])
    padded = np.pad(data, ((0, 0), (0, rows.length * len(rows.starts) - data.shape[1]), (0, 0)), mode="symmetric")
    padded = np.pad(padded, ((0, 0), (0, 0), (0, cols.length * len(cols.starts) - data.shape[2])), mode="symmetric")
    start = time.perf_counter()
    with torch.no_grad():
        for r in rows.starts:
            for c in cols.starts:
                x = torch.from_numpy(padded[None, :, r : r + rows.length, c : c + cols.length].copy()).to(device)
                model(x).float().softmax(dim=1).cpu()
    return time.perf_counter() - start


def child(variant: str, model: str, raster: str, folder: str, device: str) -> None:
    """Print the seconds of one variant (``VARIANTS``), timed after start-up, with the worker's GDAL cache."""
    try:  # the worker's GDAL cache for prediction, as the checkout being timed sets it (none before 2026-11-25)
        from segmentation_trainer.core.cli import GDAL_CACHE_MB
    except ImportError:
        pass
    else:
        os.environ.setdefault("GDAL_CACHEMAX", str(GDAL_CACHE_MB["predict"]))  # read by GDAL at its first block
    if VARIANTS[variant] is None:
        print(floor_seconds(model, Path(raster), device))
        return
    start = time.perf_counter()
    run_predict(model, Path(raster), Path(folder) / "prediction.tif", device, **VARIANTS[variant])
    print(time.perf_counter() - start)


def _checkout_path(checkout: str, folder: Path) -> str:
    """A folder to put on ``PYTHONPATH`` so that ``segmentation_trainer`` imports from ``checkout``."""
    link = folder / "against" / "segmentation_trainer"
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(Path(checkout).resolve(), target_is_directory=True)
    return str(link.parent)


def speed(args: argparse.Namespace, folder: Path) -> None:
    """Median seconds of the floor, the default prediction and margin 0 (and those of ``--against``), alternating,
    and their ratios to the floor."""
    raster = build_mosaic(*COPIES, folder)
    runs = [(name, name, None) for name in VARIANTS]
    if args.against:
        other = _checkout_path(args.against, folder)
        runs += [(f"{name} ({args.against})", name, other) for name in VARIANTS if VARIANTS[name] is not None]
    seconds: dict[str, list[float]] = {label: [] for label, _, _ in runs}
    for _ in range(args.repeats):
        for label, name, path in runs:
            probe = [sys.executable, __file__, "--child", name, args.model, str(raster), str(folder), args.device]
            env = os.environ | (
                {"PYTHONPATH": os.pathsep.join(filter(None, [path, os.environ.get("PYTHONPATH")]))} if path else {}
            )
            done = subprocess.run(probe, capture_output=True, text=True, check=True, env=env)
            seconds[label].append(float(done.stdout.split()[-1]))
    floor = statistics.median(seconds["floor"])
    print("| run | seconds (each run) | median | vs floor |\n|---|---|---|---|")
    for label, values in seconds.items():
        median = statistics.median(values)
        each = ", ".join(f"{v:.1f}" for v in values)
        print(f"| {label} | {each} | {median:.1f} | {median / floor:.2f}x |", flush=True)


def meeting_band(shape: tuple[int, int], rows: TileAxis, cols: TileAxis, margin: int) -> np.ndarray:
    """The pixels where neighbouring tiles meet: the margin each tile shares with the one before it, 3 px wider on
    either side."""
    band = np.zeros(shape, dtype=bool)
    for r in rows.starts[1:]:
        band[max(0, r - 3) : r + margin + 3, :] = True
    for c in cols.starts[1:]:
        band[:, max(0, c - 3) : c + margin + 3] = True
    return band


def seams(args: argparse.Namespace, folder: Path) -> None:
    """Agreement with one pass, disagreement where tiles meet and elsewhere, and cost, per tile size and margin."""
    raster = build_mosaic(*COPIES, folder)
    with rasterio.open(raster) as src:
        height, width = src.height, src.width
    whole = 32 * math.ceil(max(height, width) / 32)  # one tile over the raster
    single = run_predict(args.model, raster, folder / "single.tif", args.device, tile_size=whole, margin=0)
    with rasterio.open(single["prediction"]) as src:
        one = src.read(1)
    valid = one != 255
    print("| tile | margin | blending | tiles | agreement | where tiles meet / elsewhere | network pixels per pixel |")
    print("|---|---|---|---|---|---|---|")
    for tile in args.tiles:
        for margin in args.margins:
            for blending in args.blendings if margin else ["linear"]:
                options = {"tile_size": tile, "margin": margin, "blending": blending}
                result = run_predict(args.model, raster, folder / "tiled.tif", args.device, **options)
                with rasterio.open(result["prediction"]) as src:
                    disagree = (src.read(1) != one) & valid
                rows, cols = TileAxis.over(0, height, tile, margin), TileAxis.over(0, width, tile, margin)
                band = meeting_band(one.shape, rows, cols, margin) & valid
                cost = len(rows.starts) * len(cols.starts) * rows.length * cols.length / (height * width)
                print(
                    f"| {tile} | {margin} | {blending} | {len(cols.starts)} x {len(rows.starts)} of "
                    f"{cols.length} x {rows.length} | {1 - disagree[valid].mean():.2%} | "
                    f"{disagree[band].mean():.2%} / {disagree[valid & ~band].mean():.2%} | {cost:.2f} |",
                    flush=True,
                )


def traced_worker(command: list[str]) -> tuple[float, float, list[float]]:
    """Run the worker ``command`` (with ``--events``): its seconds, its peak resident memory (MiB, ``getrusage``) and
    the highest resident memory sampled (Linux; empty elsewhere) in each part of the run that a progress event ends:
    the output chunks, then the finishing (overviews, COG copy)."""
    start = time.perf_counter()
    process = subprocess.Popen([*command, "--events"], stdout=subprocess.PIPE, text=True)
    statm, page_mib = Path(f"/proc/{process.pid}/statm"), os.sysconf("SC_PAGE_SIZE") / 2**20
    peaks, finished = [0.0], threading.Event()

    def sample() -> None:
        while not finished.is_set():
            try:
                peaks[-1] = max(peaks[-1], int(statm.read_text().split()[1]) * page_mib)
            except (OSError, IndexError, ValueError):  # not Linux, or the process has ended
                return
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    for line in process.stdout:
        if parse_event(line)["event"] == "progress":  # stray text is a log event
            peaks.append(0.0)
    _, status, usage = os.wait4(process.pid, 0)
    finished.set()
    sampler.join()
    if status:
        raise RuntimeError(f"{' '.join(command)} failed with status {status}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024, [p for p in peaks if p]


def memory(args: argparse.Namespace, folder: Path) -> None:
    """Peak resident memory and time of a default prediction, each size in its own worker process, and the chunks'
    peaks."""
    print(
        "| raster | time | megapixels/s | peak RSS of the worker | chunks | chunk peaks: lowest / median / highest "
        "| finishing |\n|---|---|---|---|---|---|---|"
    )
    for size in args.sizes:
        raster = mosaic_of_size(size, folder)
        with rasterio.open(raster) as src:
            pixels, label = src.width * src.height, f"{src.width} x {src.height} x {src.count}"
        command = [sys.executable, "-m", "segmentation_trainer", "predict", "--model", args.model]
        command += ["--raster", str(raster), "--output", str(folder / "prediction.tif"), "--device", args.device]
        seconds, peak, parts = traced_worker(command)
        chunks = parts[:-1]
        spread = f"{min(chunks):.0f} / {statistics.median(chunks):.0f} / {max(chunks):.0f} MiB" if chunks else "–"
        finishing = f"{parts[-1]:.0f} MiB" if parts else "–"
        print(
            f"| {label} | {seconds:.0f} s | {pixels / seconds / 1e6:.2f} | {peak:.0f} MiB | {len(chunks)} | {spread} "
            f"| {finishing} |",
            flush=True,
        )
        if args.each_chunk:
            print(f"\nEach chunk's peak (MiB), in the order predicted: {' '.join(f'{p:.0f}' for p in chunks)}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("measure", choices=["speed", "seams", "memory"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--against", help="another checkout of the plugin, timed beside this one (speed)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000])
    parser.add_argument("--tiles", type=int, nargs="+", default=[512, 1024])
    parser.add_argument("--margins", type=int, nargs="+", default=[0, 32, 64, 128])
    parser.add_argument("--blendings", nargs="+", default=["linear"])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--each-chunk", action="store_true", help="memory: print every chunk's peak too")
    args = parser.parse_args()
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, device {args.device}, "
        f"{time.strftime('%Y-%m-%d')}, model {args.model}\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        {"speed": speed, "seams": seams, "memory": memory}[args.measure](args, Path(tmp))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        main()
