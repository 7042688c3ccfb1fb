"""A new training run never replaces the run already in its model folder: before it writes its first file it
moves the earlier run's files (model, checkpoint, metrics) to ``previous/<date-time>/`` in the folder, with a
log line naming it. A resumed run continues the folder's run and moves nothing.

The move is one rename, so that a run killed at any moment leaves the earlier run whole in one place: the files
get second names (hard links, or copies on a disk without them) in ``previous/<date-time>.tmp/``, which is then
renamed ``previous/<date-time>``; only then are they removed from the model folder, model.json first. When the next
run starts, ``tidy`` removes what a kill left of an unfinished move or save."""

from __future__ import annotations

import filecmp
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from ..common.files import (
    METADATA_FILE,
    METRICS_FILE,
    METRICS_TABLE,
    PREVIOUS_RUNS,
    TEMPORARY_SUFFIX,
    link_or_copy,
    temporary,
    weights_files,
)
from ..models.checkpoint import LEGACY_STATE, TENSORS
from ..models.model_store import remove_unused_weights

RUN_FILES = (METADATA_FILE, TENSORS, LEGACY_STATE, METRICS_FILE, METRICS_TABLE)
"""The files of a run besides its weights (``weights_files``)."""


def run_files(folder: Path) -> list[Path]:
    """The files of the run in ``folder`` that are there, in the order they leave it: model.json first, so that the
    folder never holds a model without its weights. All its weights files: after ``tidy`` only the one model.json
    names is left, unless model.json cannot be read."""
    paths = [folder / METADATA_FILE, *weights_files(folder), *(folder / name for name in RUN_FILES[1:])]
    return [path for path in paths if path.is_file()]


def keep_previous_run(folder: Path, log: Callable[..., None]) -> Path | None:
    """Move the run files in ``folder`` to a new ``previous/<date-time>`` subfolder in one rename; that subfolder,
    or None when there were none."""
    present = run_files(folder)
    if not present:
        return None
    target = _new_staging(folder / PREVIOUS_RUNS, time.strftime("%Y-%m-%d_%H%M%S"))
    staging = temporary(target)
    try:
        for path in present:
            link_or_copy(path, staging / path.name)
        os.replace(staging, target)
    except Exception:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for path in present:
        path.unlink()
    what = "model" if METADATA_FILE in (p.name for p in present) else "run"
    log(f"The model folder {folder} held an earlier {what}: moved to {target}, so that this run does not replace it.")
    return target


def tidy(folder: Path) -> None:
    """Before a run writes in ``folder``, remove what a kill left there: the staging folder of a move to previous/
    (the earlier run was then still whole in the folder), the run files of a move that had been renamed into
    previous/ (their second names), and weights that model.json does not name (``remove_unused_weights``). The
    staging folders go first: the files in the folder are compared with those kept in previous/ only."""
    previous = folder / PREVIOUS_RUNS
    for staging in previous.glob("*" + TEMPORARY_SUFFIX):
        shutil.rmtree(staging)
    kept = [path for path in previous.glob("*/*") if path.is_file()]
    for path in run_files(folder):
        if any(other.name == path.name and _same_file(path, other) for other in kept):
            path.unlink()
    remove_unused_weights(folder)


def _same_file(path: Path, other: Path) -> bool:
    """Whether ``path`` and ``other`` are one file under two names, or ``other`` a copy of it (``link_or_copy``:
    the same modification time and content)."""
    a, b = path.stat(), other.stat()
    if os.path.samestat(a, b):
        return True
    return (a.st_size, a.st_mtime_ns) == (b.st_size, b.st_mtime_ns) and filecmp.cmp(path, other, shallow=False)


def _new_staging(parent: Path, name: str) -> Path:
    """A subfolder name of ``parent`` that is free (``name``, else ``name-2``, ``name-3``…), its staging folder
    (``temporary``) created."""
    parent.mkdir(parents=True, exist_ok=True)
    number = 1
    while True:
        candidate = parent / (name if number == 1 else f"{name}-{number}")
        number += 1
        if not candidate.exists():
            try:
                temporary(candidate).mkdir()
                return candidate
            except FileExistsError:
                pass
