"""Helpers for tests of the worker: its command lines, run settings, raster crops and a silent event writer.

Standard library and ``core.common`` only at module level, so that QGIS-side tests (tests/tasks) may
use the command-line helpers too; rasterio is imported where a crop is cut."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from segmentation_trainer.core.common.config import TrainConfig
from segmentation_trainer.core.common.events import EventWriter

if TYPE_CHECKING:
    from rasterio.windows import Window


def worker_args(command: str, **options: object) -> list[str]:
    """The worker's arguments ``command --option value …``: ``output_dir=x`` gives ``--output-dir x``,
    ``True`` a bare flag."""
    args = [command]
    for name, value in options.items():
        args.append("--" + name.replace("_", "-"))
        if value is not True:
            args.append(str(value))
    return args


def train_args(raster: str | Path, labels: str | Path, output: str | Path, **options: object) -> list[str]:
    """``train`` on ``raster`` and ``labels`` into the model folder ``output``; ``options`` as for ``worker_args``."""
    return worker_args("train", raster=raster, labels=labels, output_dir=output, **options)


def compare_args(raster: str | Path, labels: str | Path, output: str | Path, **options: object) -> list[str]:
    """``compare`` on ``raster`` and ``labels``, the report in ``output``; ``options`` as for ``worker_args``."""
    return worker_args("compare", raster=raster, labels=labels, output_dir=output, **options)


def train_config(raster: str | Path, labels: str | Path, output: str | Path, **options: object) -> TrainConfig:
    """The run settings for ``raster`` and ``labels``, the model folder ``output``, other fields from ``options``."""
    return TrainConfig(raster=str(raster), labels=str(labels), output_dir=str(output), **options)


def crop_raster(source: Path, target: Path, window: Window) -> Path:
    """Write ``window`` of ``source`` to ``target`` with its georeferencing and nodata."""
    import rasterio

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


def watch_worker(
    *args: str,
    react: Callable[[dict, subprocess.Popen], None],
    timeout: float = 600,
    entry: Sequence[str] = ("-m", "segmentation_trainer"),
    started: Callable[[subprocess.Popen], None] | None = None,
) -> tuple[int, list[dict]]:
    """Run ``python -m segmentation_trainer ARGS --events`` as ``run_worker`` does, calling ``react(event,
    process)`` on each event as it arrives (to ask for a stop or kill the worker at a chosen moment); its exit
    status and events. ``entry``: what follows ``python`` instead of ``-m segmentation_trainer`` (a script that
    runs the worker with a fault of its own); ``started(process)`` is called as soon as the process runs (to watch
    its files from the start)."""
    process = subprocess.Popen(
        [sys.executable, *entry, *args, "--events"],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    if started is not None:
        started(process)
    events = []
    for line in process.stdout:
        events.append(json.loads(line))
        react(events[-1], process)
    process.stdout.close()
    return process.wait(timeout), events
