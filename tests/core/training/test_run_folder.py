"""A new run moves the earlier run of its model folder to ``previous/`` in one rename, and ``tidy`` removes what a
kill left of that move, or of a model's save (issue 18). Files only: no training."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from segmentation_trainer.core.common.files import (
    METADATA_FILE,
    METRICS_FILE,
    METRICS_TABLE,
    PREVIOUS_RUNS,
    WEIGHTS_KEY,
    link_or_copy,
    temporary,
)
from segmentation_trainer.core.models.checkpoint import TENSORS
from segmentation_trainer.core.training import run_folder
from segmentation_trainer.core.training.run_folder import keep_previous_run, run_files, tidy

WEIGHTS = "model-0123456789abcdef.safetensors"


def contents(folder: Path) -> dict[str, bytes]:
    """The files directly in ``folder``, by name."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def folder(tmp_path) -> Path:
    """A model folder holding a run: model.json naming its weights, checkpoint, metrics."""
    (tmp_path / METADATA_FILE).write_text(json.dumps({WEIGHTS_KEY: WEIGHTS}))
    for name in (WEIGHTS, TENSORS, METRICS_FILE, METRICS_TABLE):
        (tmp_path / name).write_text(f"the earlier run's {name}")
    return tmp_path


def test_a_new_run_moves_the_earlier_run_in_one_rename(folder, monkeypatch):
    earlier, renames, logged = contents(folder), [], []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda *paths: renames.append(paths) or real(*paths))
    target = keep_previous_run(folder, logged.append)
    assert renames == [(temporary(target), target)] and target.parent == folder / PREVIOUS_RUNS
    assert contents(target) == earlier and contents(folder) == {}
    assert os.listdir(folder / PREVIOUS_RUNS) == [target.name]
    assert logged == [
        f"The model folder {folder} held an earlier model: moved to {target}, so that this run does not replace it."
    ]
    assert keep_previous_run(folder, logged.append) is None


def test_tidy_removes_an_unfinished_move_and_the_earlier_run_stays_in_place(folder):
    earlier = contents(folder)
    staging = temporary(folder / PREVIOUS_RUNS / "2026-01-01_120000")
    staging.mkdir(parents=True)
    for path in run_files(folder)[:2]:  # a kill while the files got their second names
        link_or_copy(path, staging / path.name)
    tidy(folder)
    assert contents(folder) == earlier and os.listdir(folder / PREVIOUS_RUNS) == []


@pytest.mark.parametrize("links", [True, False], ids=["hard links", "copies"])
def test_tidy_finishes_a_move_renamed_into_previous(links, folder, monkeypatch):
    if not links:
        monkeypatch.setattr(os, "link", lambda *_: (_ for _ in ()).throw(OSError("no hard links on this disk")))
    earlier, kept = contents(folder), folder / PREVIOUS_RUNS / "2026-01-01_120000"
    kept.mkdir(parents=True)
    for path in run_files(folder):
        link_or_copy(path, kept / path.name)
    (folder / METADATA_FILE).unlink()  # a kill after the first removal from the model folder
    tidy(folder)
    assert contents(folder) == {} and contents(kept) == earlier


def test_tidy_keeps_the_files_of_a_new_run(folder):
    kept = keep_previous_run(folder, print)
    (folder / METADATA_FILE).write_text(json.dumps({WEIGHTS_KEY: WEIGHTS, "status": "running"}))  # the new run's
    (folder / WEIGHTS).write_text("the new run's weights")
    (folder / TENSORS).write_text("the new run's checkpoint")
    new = contents(folder)
    tidy(folder)
    assert contents(folder) == new
    assert len(contents(kept)) == 5


def test_run_files_lists_model_json_first_then_the_weights(folder):
    assert [p.name for p in run_files(folder)] == [
        METADATA_FILE,
        WEIGHTS,
        *run_folder.RUN_FILES[1:2],
        METRICS_FILE,
        METRICS_TABLE,
    ]
