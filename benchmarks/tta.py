"""Test-time augmentation: its cost and its effect on the validation mIoU of models trained on the land-cover sample.

Usage: python benchmarks/tta.py MODEL_DIR [MODEL_DIR ...] [--modes none flips rotations dihedral] [--repeats 3]
       [--device cpu]

Each MODEL_DIR is a model trained on the land-cover sample (its ``model.json`` records the training settings:
``make demo``'s are the project's usual ones). For each model:

- the validation pixels: the training run's split is drawn again from its recorded settings (``prepare_data``:
  the same seed, tiles and spatial blocks), and the labelled pixels under its validation tiles are kept, each
  pixel once (validation tiles overlap when the stride is below the tile);
- ``predict`` of the whole sample image with each ``--tta`` mode, in this process, the modes alternating,
  ``--repeats`` times, timed around ``predict`` (model loading, reading and writing included); a last variant
  times ``--uncertainty both`` without TTA;
- the mIoU, pixel accuracy and per-class IoU of each mode's class raster on the validation pixels (the
  project's ``summarize``: classes present in the labels or the prediction).

Prints a Markdown table per model and the machine, date and torch version.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
import torch

from segmentation_trainer.core.common.config import (
    IGNORE_INDEX,
    TTA_MODES,
    PredictConfig,
    TrainConfig,
    config_from_dict,
)
from segmentation_trainer.core.common.events import EventWriter
from segmentation_trainer.core.inference.augmentation import TRANSFORMS
from segmentation_trainer.core.inference.prediction import predict
from segmentation_trainer.core.runtime.cancel import StopRequest
from segmentation_trainer.core.training.loop import prepare_data
from segmentation_trainer.core.training.metrics import confusion_matrix, summarize

UNCERTAINTY = "none + uncertainty both"  # the variant timing the uncertainty rasters without TTA


def quiet() -> EventWriter:
    return EventWriter(io.StringIO(), as_json=True)


def validation_labels(model_dir: Path) -> tuple[Path, np.ndarray, list[str]]:
    """The raster a model was trained on, its class indices on the validation pixels (``IGNORE_INDEX``
    elsewhere) and the class names."""
    metadata = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    config = config_from_dict(TrainConfig, metadata["train_config"])
    if len(config.raster) != 1:
        sys.exit(f"{model_dir} was trained on {len(config.raster)} rasters: this benchmark takes one.")
    data = prepare_data(config, quiet())
    labels = np.full((data.image.height, data.image.width), IGNORE_INDEX, dtype=np.int64)
    for window in data.split.validation:
        row, col = int(window.row_off), int(window.col_off)
        target = data.source.read_raw(window)[2]
        height, width = min(target.shape[0], labels.shape[0] - row), min(target.shape[1], labels.shape[1] - col)
        labels[row : row + height, col : col + width] = target[:height, :width]
    names = [c.name for c in data.classes]
    if names != [c["name"] for c in metadata["classes"]]:
        sys.exit(f"{model_dir}: the classes of its labels and of the model differ.")
    return Path(config.raster[0]), labels, names


def scores(prediction: Path, labels: np.ndarray, values: list[int], names: list[str]) -> dict:
    """The class raster's mIoU, pixel accuracy and per-class IoU on the labelled pixels of ``labels``."""
    with rasterio.open(prediction) as src:
        predicted = src.read(1)
    index = np.full(int(predicted.max()) + 1, IGNORE_INDEX, dtype=np.int64)
    index[values] = np.arange(len(values))
    indices = index[predicted]
    kept = (labels != IGNORE_INDEX) & (indices != IGNORE_INDEX)
    matrix = confusion_matrix(torch.from_numpy(indices[kept]), torch.from_numpy(labels[kept]), len(names))
    return summarize(matrix, names) | {"pixels": int(kept.sum())}


def run(
    model_dir: Path, raster: Path, output: Path, device: str, tta: str, uncertainty: str = "none"
) -> tuple[float, dict]:
    """Seconds of one ``predict`` and its result."""
    config = PredictConfig(
        model_dir=str(model_dir),
        raster=str(raster),
        output=str(output),
        tta=tta,
        uncertainty=uncertainty,
        device=device,
    )
    start = time.perf_counter()
    result = predict(config, quiet(), StopRequest())
    return time.perf_counter() - start, result["predictions"][0]


def benchmark(model_dir: Path, modes: list[str], repeats: int, device: str, folder: Path) -> None:
    raster, labels, names = validation_labels(model_dir)
    metadata = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    values = [c["value"] for c in metadata["classes"]]
    variants = [(mode, mode, "none") for mode in modes] + [(UNCERTAINTY, "none", "both")]
    times: dict[str, list[float]] = {name: [] for name, _, _ in variants}
    results: dict[str, dict] = {}
    for _ in range(repeats):
        for name, tta, uncertainty in variants:
            seconds, result = run(model_dir, raster, folder / f"{tta}_{uncertainty}.tif", device, tta, uncertainty)
            times[name].append(seconds)
            results.setdefault(name, scores(Path(result["prediction"]), labels, values, names))
    base = statistics.median(times["none"]) if "none" in times else None
    best = metadata.get("metrics", {}).get("best_miou")
    print(f"\n### {model_dir} (training's best validation mIoU {best:.4f}, on its validation tiles)\n")
    print(f"Validation pixels: {results[variants[0][0]]['pixels']:,}. Classes: {', '.join(names)}.\n")
    print("| run | passes per tile | seconds (each run) | median | vs none | mIoU | pixel accuracy | per-class IoU |")
    print("|---|---|---|---|---|---|---|---|")
    for name, tta, _ in variants:
        median = statistics.median(times[name])
        ratio = f"{median / base:.2f}×" if base else "–"
        s = results[name]
        per_class = ", ".join("–" if v is None else f"{v:.3f}" for v in s["per_class_iou"].values())
        print(
            f"| {name} | {len(TRANSFORMS[tta])} | {', '.join(f'{t:.1f}' for t in times[name])} | {median:.1f} | "
            f"{ratio} | {s['miou']:.4f} | {s['pixel_accuracy']:.4f} | {per_class} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument("--modes", nargs="+", default=list(TTA_MODES), choices=TTA_MODES)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    print(
        f"Machine: {cpu_name()}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads; torch "
        f"{torch.__version__}; device {args.device}; {time.strftime('%Y-%m-%d %H:%M')}; load average "
        f"{os.getloadavg()[0]:.1f}."
    )
    with tempfile.TemporaryDirectory() as tmp:
        for model_dir in args.models:
            benchmark(model_dir, args.modes, args.repeats, args.device, Path(tmp))
            print(f"\nLoad average after it: {os.getloadavg()[0]:.1f}.")


def cpu_name() -> str:
    """The processor's model name (Linux), else the machine's architecture."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.machine()


if __name__ == "__main__":
    main()
