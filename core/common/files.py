"""Names of the files a run writes, shared by the worker and the QGIS side (standard library only),
the rule that no output may be one of the run's inputs, atomic writing (``replaced``), the check of an output
location before a run reads its data, and what a disk refusing a write means for the user (``disk_error``)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import UserError

METADATA_FILE = "model.json"  # what a model folder is recognised by
WEIGHTS_KEY = "weights"  # model.json's entry naming the folder's weights file (``weights_file``)
VERSIONED_WEIGHTS = "model-*.safetensors"  # a training run's weights, each version under a name of its own
WEIGHTS_FILE = "model.safetensors"  # the weights of a folder whose model.json names none (earlier versions)
WEIGHTS_SUFFIX = ".safetensors"
METRICS_FILE, METRICS_TABLE = "metrics.json", "metrics.csv"  # the run's per-epoch history, beside the model
RUN_FILE = "run.json"  # a training run's settings (TrainConfig), as the dock and Processing hand them over
PREVIOUS_RUNS = "previous"  # a model folder's earlier runs, each in previous/<time it was moved>/
COMPARE_FILE = "compare.json"  # a loss comparison's settings (CompareConfig)
WEIGHTS_CACHE_VARIABLE = "SEGMENTATION_TRAINER_WEIGHTS"  # the folder of downloaded encoder weights (the plugin sets it)
PARTIAL_SUFFIX = ".partial.tif"  # a raster being written, renamed into place when complete
TEMPORARY_SUFFIX = ".tmp"  # any other file being written (``replaced``), renamed into place when complete
LIST_SUFFIXES = (".txt", ".lst")  # a list file: one path per line (relative to the list file), # comments
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".jp2", ".png", ".jpg")  # the rasters a folder gives
PREDICTION_SUFFIX = "_prediction.tif"  # several rasters predicted into a folder: <raster name>_prediction.tif
ONNX_FILE = "model.onnx"  # where export-onnx writes a model folder's network by default (in the folder)
ONNX_SUFFIX = ".onnx"  # a model given to predict as an exported ONNX file rather than a model folder


def path_list(value: str | list[str] | None, what: str) -> list[str]:
    """The paths a multiple setting holds: each item a path, a list file (``LIST_SUFFIXES``: one path per
    line, relative to the list file's folder) or a folder (its rasters, ``RASTER_SUFFIXES``, sorted by name).
    A UserError names a list file or folder that gives no path."""
    items = [value] if isinstance(value, str) else list(value or [])
    paths: list[str] = []
    for item in (str(i) for i in items if i):
        path = Path(item)
        if path.suffix.lower() in LIST_SUFFIXES and path.is_file():
            found = _listed(path)
        elif path.is_dir():
            found = sorted(str(p) for p in path.iterdir() if p.suffix.lower() in RASTER_SUFFIXES and p.is_file())
        else:
            found = [item]
        if not found:
            raise UserError(f"{what}: {item} lists no file: give one path per line, or a folder holding rasters.")
        paths += found
    return paths


def _listed(list_file: Path) -> list[str]:
    """The paths of a list file, relative ones resolved against its folder."""
    lines = (line.strip() for line in list_file.read_text(encoding="utf-8").splitlines())
    return [str(list_file.parent / line) for line in lines if line and not line.startswith("#")]


def predictions_in_folder(rasters: list[str], folder: str | Path) -> list[Path]:
    """Where several rasters' predictions go in ``folder``: ``<raster name>_prediction.tif`` each; a UserError
    names two rasters whose names would give the same file."""
    outputs = [Path(folder) / (Path(r).stem + PREDICTION_SUFFIX) for r in rasters]
    seen: dict[Path, str] = {}
    for raster, output in zip(rasters, outputs):
        if output in seen:
            raise UserError(
                f"The rasters {seen[output]} and {raster} have the same name, so their predictions would both be "
                f"{output.name}: predict them into different folders."
            )
        seen[output] = raster
    return outputs


def prediction_files(output: str | Path) -> dict[str, Path]:
    """Every file a prediction into ``output`` may write, by what it holds (unfinished ones included)."""
    return _finished_prediction_files(output) | unfinished_prediction_files(output)


def unfinished_prediction_files(output: str | Path) -> dict[str, Path]:
    """The names a prediction into ``output`` writes its files under until they are complete: each raster while its
    chunks are written (``partial``), then every file while it is laid out or written whole (``temporary``)."""
    finished = _finished_prediction_files(output).items()
    rasters = {f"unfinished {name}": partial(path) for name, path in finished if path.suffix == ".tif"}
    return rasters | {f"unfinished {name} (being laid out)": temporary(path) for name, path in finished}


def _finished_prediction_files(output: str | Path) -> dict[str, Path]:
    main = Path(output)
    return {
        "class raster": main,
        "style": main.with_suffix(".qml"),
        "confidence": main.with_name(f"{main.stem}_confidence.tif"),
        "probabilities": main.with_name(f"{main.stem}_probabilities.tif"),
        "entropy": main.with_name(f"{main.stem}_entropy.tif"),
        "entropy style": main.with_name(f"{main.stem}_entropy.qml"),
        "margin": main.with_name(f"{main.stem}_margin.tif"),
        "margin style": main.with_name(f"{main.stem}_margin.qml"),
        "polygons": main.with_suffix(".gpkg"),
    }


def model_files(model: str | Path) -> dict[str, Path]:
    """The files a model given to a run is made of, by what they hold: an exported ONNX file (``ONNX_SUFFIX``), or
    a model folder's metadata and weights."""
    path = Path(model or ".")
    if path.suffix.lower() == ONNX_SUFFIX:
        return {"model": path}
    return {"model": path / METADATA_FILE, "model weights": weights_file(path)}


def weights_file(model_dir: str | Path) -> Path:
    """The weights file of the model folder ``model_dir``: the one its model.json names (``WEIGHTS_KEY``, a file
    name in the folder), else ``WEIGHTS_FILE`` (a folder written by an earlier version, or without model.json).

    A training run writes each better epoch's weights under a new name (``VERSIONED_WEIGHTS``), then replaces
    model.json, which names them and records their metrics: that one rename makes them the folder's model."""
    folder = Path(model_dir)
    try:
        name = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8")).get(WEIGHTS_KEY)
    except (OSError, ValueError, AttributeError):  # no model.json, or not a JSON object: read_metadata says so
        name = None
    named = isinstance(name, str) and Path(name).name == name and name.endswith(WEIGHTS_SUFFIX)
    return folder / (name if named else WEIGHTS_FILE)


def weights_files(model_dir: str | Path) -> list[Path]:
    """Every weights file in the model folder ``model_dir``, whether its model.json names it or not."""
    folder = Path(model_dir)
    candidates = [folder / WEIGHTS_FILE, *sorted(folder.glob(VERSIONED_WEIGHTS))]
    return [path for path in candidates if path.is_file()]


def link_or_copy(source: Path, target: Path) -> None:
    """Give the file ``source`` the second name ``target`` (a hard link: nothing is copied), or copy it there with
    its times on a disk without hard links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def partial(path: Path) -> Path:
    """Where the raster ``path`` is written, chunk by chunk, until it is complete."""
    return path.with_name(path.name + PARTIAL_SUFFIX)


def temporary(path: Path, keep_suffix: bool = False) -> Path:
    """Where ``replaced`` writes ``path`` until it is complete: ``<name>.tmp``, or ``<stem>.tmp<suffix>``."""
    return path.with_name(
        f"{path.stem}{TEMPORARY_SUFFIX}{path.suffix}" if keep_suffix else path.name + TEMPORARY_SUFFIX
    )


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
def replaced(path: str | Path, keep_suffix: bool = False) -> Iterator[Path]:
    """Write a file atomically: the caller writes the yielded temporary path, which then replaces ``path`` in
    one rename, so a reader (or a run killed midway) sees the old file or the new one, never half of one. The
    temporary file is removed when writing fails; a disk refusing the write is a UserError naming ``path``
    (``disk_error``). The temporary file is ``<name>.tmp``, or ``<stem>.tmp<suffix>`` with ``keep_suffix`` (for
    writers that go by the suffix, such as GDAL's GeoPackage driver)."""
    target = Path(path)
    tmp = temporary(target, keep_suffix)
    try:
        yield tmp
        os.replace(tmp, target)
    except Exception as exc:
        error = disk_error(exc, target)
        if error is None:
            raise
        raise error from None
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (``replaced``)."""
    with replaced(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


DISK_PROBLEMS = {
    errno.EACCES: "Choose a file or folder of your own, or ask for permission.",
    errno.EPERM: "Choose a file or folder of your own, or ask for permission.",
    errno.EROFS: "Choose a folder on a writable disk.",
    errno.ENOSPC: "Free some space on that disk, or choose a folder on another disk.",
    errno.EDQUOT: "Free some space (your disk quota is used up), or choose a folder on another disk.",
}
"""The system errors of a file that the user can fix, and what to do about each."""


def disk_error(exc: BaseException, path: str | Path | None = None, verb: str = "use") -> UserError | None:
    """The UserError for an error the user can fix (no permission, read-only or full disk: ``DISK_PROBLEMS``), an
    OSError of that errno or an error of a library that quotes the system's message (GDAL, safetensors), naming
    ``path`` (default: the file the error names) and what to do ("Cannot ``verb`` …"); None for any other error."""
    code = getattr(exc, "errno", None)
    if code not in DISK_PROBLEMS:
        code = next((c for c in DISK_PROBLEMS if os.strerror(c) in str(exc)), None)
    if code is None:
        return None
    where = path or getattr(exc, "filename", None) or "a file the run writes"
    return UserError(f"Cannot {verb} {where}: {os.strerror(code)}. {DISK_PROBLEMS[code]}")


def check_output_folder(folder: str | Path, what: str) -> None:
    """Before a run reads any data: ``folder`` is a folder or can be created (no file in the way), and a file can
    be written there (a UserError naming it otherwise). Nothing is left behind: the folder is not created."""
    path = Path(folder).absolute()
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        problem = "is a file" if existing == path else f"cannot be created: {existing} is a file"
        raise UserError(f"The {what} {folder} {problem}. Choose a folder (it is created if needed).")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        where = f"the {what} {folder}"
        raise disk_error(exc, where) or UserError(f"Cannot write in {where}: {exc}") from None


def check_output_file(path: str | Path, what: str) -> None:
    """Before a run reads any data: ``path`` is not a folder, and its folder can be written
    (``check_output_folder``)."""
    if Path(path).is_dir():
        raise UserError(f"The {what} {path} is a folder: give a file name in it, e.g. {Path(path) / 'name.tif'}.")
    check_output_folder(Path(path).parent, f"folder of the {what}")
