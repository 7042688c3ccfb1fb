"""Test-time augmentation: its cost and its effect on the validation mIoU of models trained on the land-cover sample.

Usage: python benchmarks/tta.py MODEL_DIR [MODEL_DIR ...] [--modes none flips rotations dihedral] [--repeats 3]
       [--device cpu]

Each MODEL_DIR is a model trained on the land-cover sample (its ``model.json`` records the training settings:
``make demo``'s are the project's usual ones). For each model:

- the validation pixels: the training run's split is drawn again from its recorded settings (``prepare_data``:
  the same seed, tiles and spatial blocks), and the labelled pixels under its validation tiles are kept, each
  pixel once (validation tiles overlap when the stride is below the tile);
- ``predict`` of the whole sample image with each ``--tta`` mode (``none`` always, first) and
  ``--uncertainty both``, in this process, the modes alternating, ``--repeats`` times after an untimed warm-up
  run, timed around ``predict`` (model loading, reading and writing included); a last variant, without TTA and
  without the uncertainty rasters, gives what writing them costs;
- for each mode, on the validation pixels: the mIoU, pixel accuracy and per-class IoU of its class raster (the
  project's ``summarize``: classes present in the labels or the prediction); the pixels whose class differs from
  the prediction without TTA, those of them it gets right (fixed) and those the prediction without TTA got right
  (broken); and how well each uncertainty raster points at the errors: its error AUROC (the probability that a
  wrong pixel is more unsure than a right one: Mann-Whitney U / (n_wrong · n_right)) and its mean on right and
  on wrong pixels.

Prints two Markdown tables per model and the machine, date and torch version.
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
from scipy.stats import mannwhitneyu

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

BASELINE, PLAIN = "none", "none, no uncertainty rasters"  # the variant without TTA, and without the rasters too


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


def class_indices(prediction: Path, values: list[int]) -> np.ndarray:
    """The class raster's class indices (``IGNORE_INDEX`` on nodata)."""
    with rasterio.open(prediction) as src:
        predicted = src.read(1)
    index = np.full(int(predicted.max()) + 1, IGNORE_INDEX, dtype=np.int64)
    index[values] = np.arange(len(values))
    return index[predicted]


def error_auroc(measure: np.ndarray, wrong: np.ndarray, unsure_high: bool) -> float:
    """The probability that a wrongly predicted pixel is more unsure by ``measure`` than a rightly predicted one
    (the area under the ROC curve of ``measure`` as a detector of errors; Mann-Whitney U / (n_wrong n_right))."""
    unsure = measure if unsure_high else -measure
    u = mannwhitneyu(unsure[wrong], unsure[~wrong], alternative="greater").statistic
    return float(u / (wrong.sum() * (~wrong).sum()))


def scores(result: dict, labels: np.ndarray, values: list[int], names: list[str], plain: np.ndarray | None) -> dict:
    """mIoU, pixel accuracy and per-class IoU of a prediction on the labelled pixels of ``labels``; the pixels whose
    class differs from ``plain`` (the prediction without TTA), those it fixes and those it breaks; the uncertainty
    rasters' error AUROC."""
    indices = class_indices(Path(result["prediction"]), values)
    kept = (labels != IGNORE_INDEX) & (indices != IGNORE_INDEX)
    matrix = confusion_matrix(torch.from_numpy(indices[kept]), torch.from_numpy(labels[kept]), len(names))
    figures = summarize(matrix, names) | {"pixels": int(kept.sum()), "indices": indices}
    right = indices == labels
    if plain is not None:
        changed = kept & (indices != plain)
        figures["changed"] = (
            int(changed.sum()),
            int((changed & right).sum()),
            int((changed & (plain == labels)).sum()),
        )
    for name, unsure_high in (("entropy", True), ("margin", False)):
        if name in result:
            with rasterio.open(result[name]) as src:
                measure = src.read(1)[kept]
            figures[name] = (
                error_auroc(measure, ~right[kept], unsure_high),
                measure[right[kept]].mean(),
                measure[~right[kept]].mean(),
            )
    return figures


def run(model_dir: Path, raster: Path, output: Path, device: str, tta: str, uncertainty: str) -> tuple[float, dict]:
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
    variants = [(mode, mode, "both") for mode in modes] + [(PLAIN, "none", "none")]
    times: dict[str, list[float]] = {name: [] for name, _, _ in variants}
    figures: dict[str, dict] = {}
    run(model_dir, raster, folder / "warm_up.tif", device, BASELINE, "none")  # untimed: first calls are slower
    for _ in range(repeats):
        for name, tta, uncertainty in variants:
            seconds, result = run(model_dir, raster, folder / f"{tta}_{uncertainty}.tif", device, tta, uncertainty)
            times[name].append(seconds)
            if name not in figures:
                plain = figures[BASELINE]["indices"] if BASELINE in figures else None
                figures[name] = scores(result, labels, values, names, plain)
    base = statistics.median(times[BASELINE])
    best = metadata.get("metrics", {}).get("best_miou")
    print(f"\n### {model_dir} (training's best validation mIoU {best:.4f}, on its validation tiles)\n")
    print(f"Validation pixels: {figures[BASELINE]['pixels']:,}.\n")
    print(
        "| run | passes per tile | seconds (each run) | median | vs none | mIoU | pixel accuracy | pixels changed: "
        "fixed / broken |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, tta, _ in variants:
        median, f = statistics.median(times[name]), figures[name]
        changed = "{:,}: {:,} / {:,}".format(*f["changed"]) if "changed" in f else "–"
        print(
            f"| {name} | {len(TRANSFORMS[tta])} | {', '.join(f'{t:.1f}' for t in times[name])} | {median:.1f} | "
            f"{median / base:.2f}× | {f['miou']:.4f} | {f['pixel_accuracy']:.4f} | {changed} |"
        )
    print(
        f"\n| run | {' | '.join(names)} | entropy: error AUROC, mean right / wrong | margin: error AUROC, mean "
        "right / wrong |"
    )
    print("|---|" + "---|" * (len(names) + 2))
    for name, _, _ in variants:
        f = figures[name]
        per_class = " | ".join("–" if v is None else f"{v:.3f}" for v in f["per_class_iou"].values())
        measures = " | ".join("{:.3f}, {:.3f} / {:.3f}".format(*f[m]) if m in f else "–" for m in ("entropy", "margin"))
        print(f"| {name} | {per_class} | {measures} |")


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
    modes = [BASELINE, *(mode for mode in args.modes if mode != BASELINE)]
    with tempfile.TemporaryDirectory() as tmp:
        for model_dir in args.models:
            benchmark(model_dir, modes, args.repeats, args.device, Path(tmp))
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
