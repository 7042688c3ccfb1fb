"""A new training run never replaces the run already in its model folder: before it writes its first file it
moves the earlier run's files (model, checkpoint, metrics) to ``previous/<date-time>/`` in the folder, with a
log line naming it. A resumed run continues the folder's run and moves nothing."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from ..common.files import METADATA_FILE, METRICS_FILE, METRICS_TABLE, PREVIOUS_RUNS, WEIGHTS_FILE
from ..models.checkpoint import LEGACY_STATE, TENSORS

RUN_FILES = (TENSORS, LEGACY_STATE, METRICS_FILE, METRICS_TABLE, METADATA_FILE, WEIGHTS_FILE)
"""The files of a run, in the order they are moved: the checkpoint first, so that an interruption midway never
leaves a checkpoint without the model it belongs to (a later new run moves what is left)."""


def keep_previous_run(folder: Path, log: Callable[..., None]) -> Path | None:
    """Move the run files in ``folder`` to a new ``previous/<date-time>`` subfolder; that subfolder, or None
    when there were none."""
    present = [name for name in RUN_FILES if (folder / name).is_file()]
    if not present:
        return None
    target = _new_subfolder(folder / PREVIOUS_RUNS, time.strftime("%Y-%m-%d_%H%M%S"))
    for name in present:
        os.replace(folder / name, target / name)
    what = "model" if METADATA_FILE in present else "run"
    log(f"The model folder {folder} held an earlier {what}: moved to {target}, so that this run does not replace it.")
    return target


def _new_subfolder(parent: Path, name: str) -> Path:
    """A subfolder of ``parent`` that did not exist: ``name``, else ``name-2``, ``name-3``…"""
    parent.mkdir(parents=True, exist_ok=True)
    candidate, number = parent / name, 1
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            number += 1
            candidate = parent / f"{name}-{number}"
