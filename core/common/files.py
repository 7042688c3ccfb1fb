"""Names of the files a run writes, shared by the worker and the QGIS side (standard library only),
the rule that no output may be one of the run's inputs, and atomic writing (``replaced``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import UserError

WEIGHTS_FILE = "model.safetensors"
METADATA_FILE = "model.json"  # what a model folder is recognised by
METRICS_FILE, METRICS_TABLE = "metrics.json", "metrics.csv"  # the run's per-epoch history, beside the model
RUN_FILE = "run.json"  # a training run's settings (TrainConfig), as the dock and Processing hand them over
PREVIOUS_RUNS = "previous"  # a model folder's earlier runs, each in previous/<time it was moved>/
COMPARE_FILE = "compare.json"  # a loss comparison's settings (CompareConfig)
WEIGHTS_CACHE_VARIABLE = "SEGMENTATION_TRAINER_WEIGHTS"  # the folder of downloaded encoder weights (the plugin sets it)
PARTIAL_SUFFIX = ".partial.tif"  # a raster being written, renamed into place when complete


def prediction_files(output: str | Path) -> dict[str, Path]:
    """Every file a prediction into ``output`` may write, by what it holds (unfinished ones included)."""
    return _finished_prediction_files(output) | unfinished_prediction_files(output)


def unfinished_prediction_files(output: str | Path) -> dict[str, Path]:
    """The names a prediction into ``output`` writes its rasters under until they are complete."""
    rasters = _finished_prediction_files(output).items()
    return {f"unfinished {name}": partial(path) for name, path in rasters if path.suffix == ".tif"}


def _finished_prediction_files(output: str | Path) -> dict[str, Path]:
    main = Path(output)
    return {
        "class raster": main,
        "style": main.with_suffix(".qml"),
        "confidence": main.with_name(f"{main.stem}_confidence.tif"),
        "probabilities": main.with_name(f"{main.stem}_probabilities.tif"),
        "polygons": main.with_suffix(".gpkg"),
    }


def partial(path: Path) -> Path:
    """Where ``path`` is written until it is complete."""
    return path.with_name(path.name + PARTIAL_SUFFIX)


def check_not_an_input(outputs: dict[str, Path], inputs: dict[str, str | Path | None]) -> None:
    """Refuse to write over an input: the same file under another spelling or through a link counts
    (a UserError naming both, before anything is written)."""
    for input_name, source in inputs.items():
        for output_name, output in outputs.items():
            if source and _same_file(Path(output), Path(source)):
                raise UserError(
                    f"The {output_name} would be written to {output}, which is the {input_name} {source}: that "
                    "would destroy it. Choose another output file; nothing was written."
                )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet: compare where their names lead
        return os.path.realpath(a) == os.path.realpath(b)


@contextmanager
def replaced(path: str | Path) -> Iterator[Path]:
    """Write a file atomically: the caller writes the yielded temporary path, which then replaces ``path`` in
    one rename, so a reader (or a run killed midway) sees the old file or the new one, never half of one. The
    temporary file is removed when writing fails."""
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (``replaced``)."""
    with replaced(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
