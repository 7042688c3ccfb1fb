"""The fault suite (issue 18): the real worker, on the land-cover sample, killed with SIGKILL at seeded random and at
chosen moments of training, prediction and comparison, then resumed or run again; given a read-only and a full output
location; given truncated inputs and model files. After every case the same invariants are checked:

- no input changed (raster, labels, class table, the model predicted with) and nothing was written beside them;
- every run folder on disk (a model folder, its ``previous/`` runs, a comparison's runs) is consistent: model.json and
  the weights it names load through ``load_model``, the checkpoint reads and fits that model, its best validation
  mIoU is at least the kept model's, and its weights are the model's exactly when its epoch is the model's (so
  model.json's metrics are those of the weights kept); metrics.json holds one record per epoch from 1, the
  checkpoint's history first and the kept model's epoch with its mIoU, and metrics.csv as many epochs or one less;
- an earlier run's files, and an earlier prediction, are all still there, whole; an earlier run's files all in one
  folder (the model folder or one ``previous/`` run), never split between them;
- the exit status is 0, or 2 with a message for what the user can fix: never 1 (a traceback);
- once the work is done again, no temporary (``.tmp``, ``.partial``) file or folder and no empty file is left, and a
  model folder holds one weights file, the one model.json names;
- the best model kept never got worse: a resume keeps at least the validation mIoU kept when the worker was killed.

The moments of the kills: after the worker's k-th JSON event plus a delay (both drawn from a seeded RNG: ``FAULT_SEED``,
default 18); as soon as a file of the output appears or changes (a checkpoint being written, a prediction laid out),
watched from here; or just before or after the n-th rename or hard link giving a file of the output a name matching a
pattern, or the n-th removal of one (``LAUNCHER`` runs the worker with ``os.replace``, ``os.link`` and ``os.unlink``
wrapped). Each case's id names its moment, and the last event seen before the kill is in its report.

Runs that need no kill (the resume, the rerun, the refused ones) call the worker's ``cli.main`` in this process, which
gives the same exit status. torch uses one thread (``one_thread``): two threads on a busy two-core machine run dozens of
times slower.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import itertools
import json
import os
import random
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import fiona
import numpy as np
import pytest
import rasterio
import torch
from safetensors.torch import load_file
from worker_helpers import compare_args, quiet, train_args, train_config, watch_worker, worker_args

from segmentation_trainer.core import cli
from segmentation_trainer.core.common.config import PredictConfig
from segmentation_trainer.core.common.files import METADATA_FILE, METRICS_FILE, METRICS_TABLE, weights_file
from segmentation_trainer.core.comparison.report import TEST_FILE
from segmentation_trainer.core.inference.prediction import predict
from segmentation_trainer.core.models.checkpoint import TENSORS, read_checkpoint_state
from segmentation_trainer.core.models.model_store import load_model
from segmentation_trainer.core.runtime.cancel import StopRequest
from segmentation_trainer.core.training.loop import train
from segmentation_trainer.core.training.run_folder import RUN_FILES

SEED = int(os.environ.get("FAULT_SEED", "18"))
FAST = {"tile_size": 64, "batch_size": 1, "encoder": "efficientnet-b0", "learning_rate": 0.001}  # 4 batches an epoch
EPOCHS = 3
COMPARE = {"losses": "ce_only,dice_only", "runs": 1, "epochs": 2} | FAST | {"batch_size": 4}
PREDICTION = "p.tif"
PREDICT_OPTIONS = {"confidence": True, "probabilities": True, "vectorize": True}
STATUSES = ("running", "complete", "cancelled", "diverged")
LEFTOVER_MARKS = (".tmp", ".partial")
LAUNCHER = """
import fnmatch, os, runpy, signal, sys
from pathlib import PurePath

output, removal, number, when = sys.argv[1], sys.argv[3] == "removal", int(sys.argv[4]), sys.argv[5]
pattern, seen = PurePath(sys.argv[2]).parts, [0]


def matches(path):
    parts = PurePath(os.path.relpath(os.path.abspath(path), output)).parts
    return len(parts) == len(pattern) and all(map(fnmatch.fnmatchcase, parts, pattern))


def watched(real, removes):
    def call(*args, **kwargs):
        hit = removes == removal and matches(args[-1])
        seen[0] += hit
        if hit and seen[0] == number and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(*args, **kwargs)
        if hit and seen[0] == number and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    return call


os.replace, os.link, os.unlink = watched(os.replace, False), watched(os.link, False), watched(os.unlink, True)
sys.argv = ["segmentation_trainer", *sys.argv[6:]]
runpy.run_module("segmentation_trainer", run_name="__main__", alter_sys=True)
"""
"""``python -c LAUNCHER OUTPUT PATTERN naming|removal N before|after ARGS``: the worker on ARGS, killed with SIGKILL
just before or just after the N-th rename or hard link whose target, or removal whose file, is in OUTPUT at a path
matching PATTERN (relative, ``*`` within one name)."""


# --- the invariants ---------------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by its path relative to it: its SHA-256."""
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def files_in(folder: Path) -> set[tuple[str, str]]:
    """The files directly in ``folder``: their names and SHA-256."""
    return {(p.name, sha256(p)) for p in folder.iterdir() if p.is_file()}


def assert_run_whole(root: Path, files: dict[str, str]) -> None:
    """The files of a run (a ``tree_digest`` of its folder) are all in one folder under ``root``: the model folder
    itself, or one of its ``previous/`` runs (never split between them)."""
    wanted = {(Path(name).name, digest) for name, digest in files.items()}
    folders = [root, *(p for p in root.rglob("*") if p.is_dir())]
    assert any(wanted <= files_in(f) for f in folders), f"the earlier run is split: {tree_digest(root)}"


def assert_files_kept(root: Path, files: dict[str, str]) -> None:
    """Every file of ``files`` (a ``tree_digest``) is still under ``root``, bit for bit, where it was or moved to a
    ``previous/`` subfolder (a new run moves an earlier run there)."""
    present = {(p.name, sha256(p)) for p in root.rglob("*") if p.is_file()}
    lost = [name for name, digest in files.items() if (Path(name).name, digest) not in present]
    assert not lost, f"files of the earlier run lost or changed: {lost}"


def run_folders(root: Path) -> list[Path]:
    """``root`` and every folder under it that holds a run's file (model, checkpoint, metrics), but for the unfinished
    ones (a move to ``previous/`` that a kill interrupted: the next run removes it, ``assert_no_leftovers``)."""
    folders = [root, *(p for p in root.rglob("*") if p.is_dir() and not any(m in p.name for m in LEFTOVER_MARKS))]
    return [f for f in folders if any((f / name).is_file() for name in RUN_FILES)]


def check_run_folder(folder: Path) -> None:
    """The files of one run agree (``check_model``, ``check_history``)."""
    metadata = check_model(folder) if (folder / METADATA_FILE).is_file() else None
    state = read_checkpoint_state(folder) if (folder / TENSORS).is_file() else None
    check_history(folder, metadata, state)


def check_model(folder: Path) -> dict:
    """The model loads (metadata, the weights it names, finite values); the checkpoint, if any, fits it, records a
    best at least the model's, and holds the model's weights exactly when its epoch is the model's: model.json's
    metrics are those of the weights kept. The model's metadata."""
    model, metadata = load_model(folder)
    assert metadata.get("status") in STATUSES, metadata.get("status")
    if (folder / TENSORS).is_file():
        state, tensors = read_checkpoint_state(folder), load_file(str(folder / TENSORS))
        network = {k[6:]: v for k, v in tensors.items() if k.startswith("model.")}
        model.load_state_dict(network)
        metrics = metadata.get("metrics") or {}
        best, epoch = metrics.get("best_miou"), metrics.get("best_epoch") or metadata.get("epochs_completed")
        assert best is None or (state["best_miou"] is not None and state["best_miou"] >= best), (state, best)
        weights = load_file(str(weights_file(folder)))
        same = weights.keys() == network.keys() and all(torch.equal(weights[k], network[k]) for k in weights)
        assert same == (epoch == state["epoch"]), (
            f"model.json: epoch {epoch}; checkpoint: {state['epoch']}, same={same}"
        )
    return metadata


def check_history(folder: Path, metadata: dict | None, state: dict | None) -> None:
    """metrics.json holds one record per epoch from 1: the checkpoint's history first, and the kept model's best
    epoch with its mIoU; metrics.csv as many epochs, or one less (it is written just after), the checkpoint's at
    least."""
    history = json.loads((folder / METRICS_FILE).read_text()) if (folder / METRICS_FILE).is_file() else None
    if history is not None:
        assert [r["epoch"] for r in history] == list(range(1, len(history) + 1))
    if history is not None and state is not None:
        assert json.dumps(history[: state["epoch"]]) == json.dumps(state["history"]), "metrics.json and checkpoint"
    best = ((metadata or {}).get("metrics") or {}).get("best_epoch")
    if history is not None and best is not None:
        assert len(history) >= best and history[best - 1]["miou"] == metadata["metrics"]["best_miou"], "metrics.json"
    if (folder / METRICS_TABLE).is_file():
        with (folder / METRICS_TABLE).open(newline="") as f:
            rows = list(csv.DictReader(f))
        assert [int(r["epoch"]) for r in rows] == list(range(1, len(rows) + 1))
        assert len(rows) >= max(len(history or []) - 1, state["epoch"] if state else 0, best or 0), "metrics.csv"


def assert_consistent(root: Path) -> list[Path]:
    """Every run folder under ``root`` is consistent (``check_run_folder``); those folders."""
    folders = run_folders(root)
    for folder in folders:
        check_run_folder(folder)
    return folders


def assert_no_leftovers(root: Path) -> None:
    """No temporary or unfinished file or folder (``.tmp``, ``.partial``) and no empty file under ``root``."""
    paths = list(root.rglob("*"))
    left = [str(p) for p in paths if any(m in p.name for m in LEFTOVER_MARKS) or (p.is_file() and not p.stat().st_size)]
    assert not left, f"left behind: {left}"


def assert_user_fixable(code: int, events: list[dict]) -> None:
    """Exit status 0, or 2 with an error event for the user (no traceback): never 1."""
    assert code in (0, 2), events[-3:]
    if code == 2:
        assert events[-1]["event"] == "error" and "details" not in events[-1], events[-1]


def kept_best(folder: Path) -> float | None:
    """The validation mIoU of the model kept in ``folder`` (None when there is none, or none was scored)."""
    path = folder / METADATA_FILE
    return json.loads(path.read_text()).get("metrics", {}).get("best_miou") if path.is_file() else None


def assert_same_outputs(folder: Path, reference: Path) -> None:
    """Every file of ``reference`` (a prediction or a label raster) is in ``folder`` and whole, with the same content
    (the same work done again): rasters read completely to the same values, polygons to as many features."""
    for source in reference.iterdir():
        target = folder / source.name
        assert target.is_file(), f"{target} is missing"
        if source.suffix == ".tif":
            with rasterio.open(source) as a, rasterio.open(target) as b:
                np.testing.assert_array_equal(a.read(), b.read(), err_msg=str(target))
        elif source.suffix == ".gpkg":
            with fiona.open(source) as a, fiona.open(target) as b:
                assert len(a) == len(b), target
        else:
            assert target.read_bytes() == source.read_bytes(), target


# --- the faults -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kill:
    """When to kill the worker with SIGKILL: after its ``event``-th event (1-based) plus ``delay`` seconds; or as
    soon as the file ``watch`` of its output appears or changes; or just ``before`` or after the ``number``-th rename
    or hard link giving a file of its output a path matching ``named`` (relative to the output, ``*`` within a name),
    or the ``number``-th removal of one (``removal``)."""

    event: int = 0
    delay: float = 0.0
    watch: str = ""
    named: str = ""
    number: int = 1
    before: bool = False
    removal: bool = False

    def __str__(self) -> str:
        if self.named:
            what = "removal" if self.removal else "naming"
            return f"{'before' if self.before else 'after'} {what} {self.number} of {self.named}"
        if self.watch:
            return f"when {self.watch} changes"
        return f"seed {SEED}: event {self.event} + {self.delay:.2f} s"

    def entry(self, output: Path) -> tuple[str, ...]:
        """What runs the worker: ``LAUNCHER`` for a kill at a naming or removal, else the worker itself."""
        if not self.named:
            return ("-m", "segmentation_trainer")
        what, when = "removal" if self.removal else "naming", "before" if self.before else "after"
        return ("-c", LAUNCHER, str(output), self.named, what, str(self.number), when)


def random_kills(what: str, count: int, events: int, delay: float) -> list[Kill]:
    """``count`` kills after a random event among the first ``events`` plus up to ``delay`` seconds, from the seeded
    RNG of ``what``."""
    rng = random.Random(f"{SEED}-{what}")
    return [Kill(event=rng.randint(1, events), delay=round(rng.uniform(0.0, delay), 2)) for _ in range(count)]


class FileWatch:
    """Kill a process as soon as a file appears or changes (its inode, size or modification time)."""

    def __init__(self, path: Path) -> None:
        self.path, self.initial = path, self.state(path)

    @staticmethod
    def state(path: Path) -> tuple[int, int, int] | None:
        try:
            s = path.stat()
        except FileNotFoundError:
            return None
        return s.st_ino, s.st_size, s.st_mtime_ns

    def start(self, process: subprocess.Popen) -> None:
        threading.Thread(target=self._watch, args=(process,), daemon=True).start()

    def _watch(self, process: subprocess.Popen) -> None:
        while process.poll() is None:
            if self.state(self.path) != self.initial:
                process.kill()
                return
            time.sleep(0.0005)


def kill_worker(args: list[str], kill: Kill, output: Path) -> tuple[int, list[dict]]:
    """Run the worker on ``args`` (writing into ``output``) and kill it as ``kill`` says; its exit status (-9 when
    killed) and the events it wrote. The last event seen goes to the test's output (where the kill landed)."""
    count, timers, start = itertools.count(1), [], time.monotonic()

    def react(_event: dict, process: subprocess.Popen) -> None:
        if kill.event and next(count) == kill.event:
            timers.append(threading.Timer(kill.delay, process.kill))
            timers[-1].start()

    watch = FileWatch(output / kill.watch) if kill.watch else None
    code, events = watch_worker(*args, react=react, entry=kill.entry(output), started=watch and watch.start)
    for timer in timers:
        timer.cancel()
    last = events[-1] if events else {}
    print(
        f"{kill}: exit {code} in {time.monotonic() - start:.1f} s after {len(events)} events, the last one "
        f"{json.dumps(last)[:160]}"
    )
    assert_killed(code, events, kill)
    return code, events


def assert_killed(code: int, events: list[dict], kill: Kill) -> None:
    """The worker was killed; a random moment, or a file watched from this busy process, may come only after the
    worker ended normally (the case's invariants are then checked all the same), a naming or removal never."""
    if code == -9:
        return
    assert not kill.named, f"the worker was not killed {kill}: exit {code}"
    assert code == 0 and events[-1]["event"] == "result", events[-3:]
    print(f"the worker ended before the kill {kill}: the invariants are checked on its finished run")


# --- fixtures ---------------------------------------------------------------------------------------------------


@dataclass
class Inputs:
    """The files every case reads, in a folder of their own, and its digest before the first case."""

    folder: Path
    raster: Path
    labels: Path
    classes: Path
    digest: dict[str, str]

    def assert_unchanged(self) -> None:
        assert tree_digest(self.folder) == self.digest, "an input changed, or a file was written beside the inputs"

    def train(self, output: Path, **options: object) -> list[str]:
        """The arguments of a training run on these inputs into ``output``."""
        return train_args(self.raster, self.labels, output, classes=self.classes, **FAST | options)


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """torch on one thread, in this process and in the workers it starts."""
    import torch

    threads = torch.get_num_threads()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OMP_NUM_THREADS", "1")
        torch.set_num_threads(1)
        yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def inputs(landcover, landcover_crop, tmp_path_factory) -> Inputs:
    """A crop of the land-cover image (192 x 192 px), its labels (strata.tif) and the class table."""
    folder = tmp_path_factory.mktemp("inputs")
    table = Path(__file__).resolve().parents[2] / "docs" / "examples" / "landcover_classes.json"
    raster = Path(shutil.copy(landcover_crop, folder / "crop.tif"))
    labels = Path(shutil.copy(landcover["strata"], folder / "strata.tif"))
    classes = Path(shutil.copy(table, folder / "classes.json"))
    return Inputs(folder, raster, labels, classes, tree_digest(folder))


@pytest.fixture(scope="module")
def earlier_model(inputs, tmp_path_factory) -> Path:
    """A finished run of 1 epoch with the suite's settings: the model a killed run must not lose."""
    folder = tmp_path_factory.mktemp("earlier_model")
    table = json.loads(inputs.classes.read_text())
    config = train_config(inputs.raster, inputs.labels, folder, classes=table, epochs=1, **FAST)
    train(config, quiet(), StopRequest())
    return folder


@pytest.fixture(scope="module")
def earlier_prediction(inputs, earlier_model, tmp_path_factory) -> Path:
    """The earlier model's prediction of the crop with every output (confidence, probabilities, polygons, style)."""
    folder = tmp_path_factory.mktemp("earlier_prediction")
    output = str(folder / PREDICTION)
    predict(PredictConfig(str(earlier_model), [str(inputs.raster)], output, **PREDICT_OPTIONS), quiet(), StopRequest())
    return folder


@pytest.fixture
def worker_here(monkeypatch) -> Callable[..., tuple[int, list[dict]]]:
    """The worker's ``cli.main`` in this process (a run that is not killed): its exit status and events."""
    monkeypatch.setattr(StopRequest, "install_signal_handlers", lambda _self: None)  # keep pytest's Ctrl-C

    def run(*args: str) -> tuple[int, list[dict]]:
        start, out = time.monotonic(), io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli.main([*args, "--events"])
        print(f"{args[0]} again: exit {code} in {time.monotonic() - start:.1f} s")
        return code, [json.loads(line) for line in out.getvalue().splitlines()]

    return run


# --- kill -9, then resume or run again ----------------------------------------------------------------------------

TRAIN_KILLS = [
    *random_kills("train", 3, 18, 0.3),
    Kill(watch="checkpoint.safetensors.tmp"),  # while the first checkpoint is written
    # the earlier run moved to previous/ (an earlier version moved it file by file: split after the first)
    Kill(named="previous/*/*"),  # its first file given a name in previous/
    Kill(named="previous/*/*", number=3),  # its third
    Kill(named="previous/*", before=True),  # all named there, the folder holding them renamed into previous/ next
    Kill(named="previous/*"),  # just renamed: the earlier run's files still in the model folder too
    Kill(named=METADATA_FILE, removal=True),  # its model.json removed from the model folder, not yet the others
    # epoch 1 saved (the model folder held no model then), then the better epoch 2, each write of it
    Kill(named=METADATA_FILE, before=True),  # epoch 1: checkpointed, its weights written, model.json not yet
    Kill(named=METRICS_FILE, number=2),  # epoch 2's metrics written, not its checkpoint
    Kill(named=TENSORS, number=2),  # epoch 2 checkpointed, its model not saved
    Kill(named="model*.safetensors", number=2),  # epoch 2's weights written, model.json still epoch 1's
    Kill(named=METADATA_FILE, number=2),  # epoch 2's model.json written, epoch 1's weights not yet removed
]


@pytest.mark.parametrize("kill", TRAIN_KILLS, ids=str)
def test_a_killed_training_resumes_never_losing_or_lowering_a_model(kill, inputs, earlier_model, worker_here, tmp_path):
    """A new run of 3 epochs into a folder holding an earlier model, killed; then ``--resume`` (or, when the folder
    holds no checkpoint, a new run, as the refusal advises)."""
    folder = Path(shutil.copytree(earlier_model, tmp_path / "model"))
    earlier, args = tree_digest(folder), inputs.train(folder, epochs=EPOCHS)
    kill_worker(args, kill, folder)
    inputs.assert_unchanged()
    assert_files_kept(folder, earlier)
    assert_run_whole(folder, earlier)
    assert_consistent(folder)
    kept = kept_best(folder)
    code, events = worker_here(*args, "--resume")
    assert_user_fixable(code, events)
    if code == 2:
        assert "There is no checkpoint to resume from" in events[-1]["message"], events[-1]
        code, events = worker_here(*args)
        assert_files_kept(folder, earlier)
        assert_run_whole(folder, earlier)
    assert code == 0 and events[-1]["event"] == "result", events[-3:]
    inputs.assert_unchanged()
    assert_consistent(folder)
    assert_no_leftovers(folder)
    assert list(folder.glob("model*.safetensors")) == [weights_file(folder)]
    assert [r["epoch"] for r in json.loads((folder / METRICS_FILE).read_text())] == list(range(1, EPOCHS + 1))
    assert json.loads((folder / METADATA_FILE).read_text())["status"] == "complete"
    if kept is not None and any("Resuming from the checkpoint" in e.get("message", "") for e in events):
        assert kept_best(folder) >= kept, "the resumed run lowered the best model kept"


PREDICT_KILLS = [
    *random_kills("predict", 2, 4, 1.0),
    Kill(watch=PREDICTION + ".partial.tif"),  # the class raster being written
    Kill(watch=PREDICTION),  # the class raster laid out (overviews, COG) into place
    Kill(watch="p.gpkg.tmp"),  # vectorizing
    Kill(watch="p.gpkg"),  # the polygons put in place (a version that deleted the earlier ones first lost them)
]


@pytest.mark.parametrize("kill", PREDICT_KILLS, ids=str)
def test_a_killed_prediction_keeps_the_earlier_one_whole(
    kill, inputs, earlier_model, earlier_prediction, worker_here, tmp_path
):
    """A prediction into files that an earlier prediction wrote, killed; then the same prediction again."""
    folder = Path(shutil.copytree(earlier_prediction, tmp_path / "prediction"))
    model = tree_digest(earlier_model)
    args = worker_args("predict", model=earlier_model, raster=inputs.raster, output=folder / PREDICTION)
    args += [f"--{name}" for name in PREDICT_OPTIONS]
    kill_worker(args, kill, folder)
    inputs.assert_unchanged()
    assert tree_digest(earlier_model) == model
    assert_same_outputs(folder, earlier_prediction)
    code, events = worker_here(*args)
    assert code == 0 and events[-1]["event"] == "result", events[-3:]
    assert_same_outputs(folder, earlier_prediction)
    assert_no_leftovers(folder)
    assert tree_digest(earlier_model) == model


COMPARE_KILLS = [
    *random_kills("compare", 2, 16, 0.3),
    Kill(watch="runs/dice_only/seed42/checkpoint.safetensors.tmp"),  # the second configuration's first checkpoint
    Kill(watch="results.json"),  # the report being written
]


@pytest.mark.parametrize("kill", COMPARE_KILLS, ids=str)
def test_a_killed_comparison_reuses_every_finished_run(kill, inputs, worker_here, tmp_path):
    """A comparison of two configurations, killed; then the same comparison again: the runs finished before the kill
    are reused unchanged, the others trained, the report complete."""
    folder = tmp_path / "report"
    args = compare_args(inputs.raster, inputs.labels, folder, classes=inputs.classes, **COMPARE)
    kill_worker(args, kill, folder)
    inputs.assert_unchanged()
    finished = {run: tree_digest(run) for run in assert_consistent(folder) if (run / TEST_FILE).is_file()}
    code, events = worker_here(*args)
    assert code == 0 and events[-1]["event"] == "result", events[-3:]
    logs = " ".join(e["message"] for e in events if e["event"] == "log")
    for run, digest in finished.items():
        assert f"reusing the finished run (seed 42) in {run}" in logs
        assert tree_digest(run) == digest
    table = json.loads((folder / "results.json").read_text())
    assert table["complete"] and {r["configuration"] for r in table["configurations"]} == {"ce_only", "dice_only"}
    inputs.assert_unchanged()
    assert len(assert_consistent(folder)) >= 2
    assert_no_leftovers(folder)


RASTERIZE_KILLS = [Kill(watch="labels.tif")]  # the label raster being written over an earlier one


@pytest.mark.parametrize("kill", RASTERIZE_KILLS, ids=str)
def test_a_killed_rasterize_keeps_the_earlier_label_raster_whole(kill, inputs, worker_here, tmp_path):
    """``rasterize`` into a label raster written before, killed; then again."""
    folder, reference = tmp_path / "labels", tmp_path / "reference"
    args = worker_args("rasterize", raster=inputs.raster, labels=inputs.labels, output=reference / "labels.tif")
    assert worker_here(*args)[0] == 0
    shutil.copytree(reference, folder)
    args = worker_args("rasterize", raster=inputs.raster, labels=inputs.labels, output=folder / "labels.tif")
    kill_worker(args, kill, folder)
    inputs.assert_unchanged()
    assert_same_outputs(folder, reference)
    assert worker_here(*args)[0] == 0
    assert_same_outputs(folder, reference)
    assert_no_leftovers(folder)


# --- a read-only or full output location ------------------------------------------------------------------------


def disk_size(folder: Path | None, spare: int = 64 * 1024) -> str:
    """A tmpfs size holding ``folder``'s files (whole pages) with ``spare`` bytes left: a disk nearly full."""
    used = sum(-(-p.stat().st_size // 4096) * 4096 for p in folder.rglob("*") if p.is_file()) if folder else 0
    return f"{(used + spare) // 1024}k"


@pytest.mark.parametrize("disk", ["read-only", "full"])
@pytest.mark.parametrize("command", ["train", "predict", "compare"])
def test_an_unwritable_output_disk_exits_2_and_keeps_what_it_held(
    command, disk, inputs, earlier_model, earlier_prediction, tmpfs, worker_here
):
    """The output on a read-only disk, or on a disk that fills up while the run writes: exit 2 naming the place and
    what to do; an earlier model or prediction there is kept whole, nothing unfinished is left."""
    held = {"train": earlier_model, "predict": earlier_prediction, "compare": None}[command]
    location = tmpfs("disk", size=disk_size(held), read_only=disk == "read-only", content=held)
    before = tree_digest(location)
    predict_args = worker_args("predict", model=earlier_model, raster=inputs.raster, output=location / PREDICTION)
    args = {
        "train": inputs.train(location, epochs=1),
        "predict": [*predict_args, *(f"--{name}" for name in PREDICT_OPTIONS)],
        "compare": compare_args(inputs.raster, inputs.labels, location, classes=inputs.classes, **COMPARE),
    }[command]
    code, events = worker_here(*args)
    assert code == 2 and events[-1]["event"] == "error" and "details" not in events[-1], events[-3:]
    message = events[-1]["message"]
    assert str(location) in message
    assert ("writable disk" if disk == "read-only" else "Free some space") in message
    inputs.assert_unchanged()
    assert_files_kept(location, before)
    assert_consistent(location)
    assert_no_leftovers(location)


# --- truncated inputs and model files ---------------------------------------------------------------------------

WEIGHTS = "weights"
TRUNCATED = [
    ("train", "raster"),
    ("predict", "raster"),
    ("compare", "raster"),
    ("train", "labels"),
    ("compare", "labels"),
    ("predict", WEIGHTS),
    ("fine-tune", WEIGHTS),
    ("resume", WEIGHTS),
    ("predict", METADATA_FILE),
    ("fine-tune", METADATA_FILE),
    ("resume", METADATA_FILE),
    ("resume", TENSORS),
    ("predict", TENSORS),  # not needed to predict: exit 0
    ("resume", METRICS_FILE),  # rewritten from the checkpoint: exit 0
]
RECOVERED = {("predict", TENSORS), ("resume", METRICS_FILE)}
"""The cases where the file cut in half is not needed or is rebuilt; ``WEIGHTS`` stands for the file model.json
names."""


def halve(path: Path) -> Path:
    """Cut ``path`` to its first half, as an interrupted copy leaves it."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def truncated_case(command: str, damaged: str, inputs: Inputs, model: Path, folder: Path) -> list[str]:
    """The arguments of ``command`` reading the model folder ``model``, writing into ``folder``; the raster, the
    labels (then a copy in ``folder``) or the model's file ``damaged`` is first cut in half."""
    raster, labels = inputs.raster, inputs.labels
    if damaged == "raster":
        raster = halve(Path(shutil.copy(raster, folder)))
    elif damaged == "labels":
        labels = halve(Path(shutil.copy(labels, folder)))
    else:
        halve(weights_file(model) if damaged == WEIGHTS else model / damaged)
    output, options = folder / "out", {"classes": inputs.classes, **FAST, "epochs": 2}
    if command == "predict":
        return worker_args("predict", model=model, raster=raster, output=output / PREDICTION)
    if command == "compare":
        return compare_args(raster, labels, output, classes=inputs.classes, **COMPARE)
    if command == "fine-tune":
        return train_args(raster, labels, output, init_model=model, **options)
    if command == "resume":
        return train_args(raster, labels, model, resume=True, **options)
    return train_args(raster, labels, output, **options)


@pytest.mark.parametrize(("command", "damaged"), TRUNCATED, ids=[f"{d}, {c}" for c, d in TRUNCATED])
def test_a_truncated_input_or_model_file_is_named_with_exit_2(
    command, damaged, inputs, earlier_model, worker_here, tmp_path
):
    """A file cut in half: exit 2 naming it (a model file before any data is read), nothing changed; or, where the
    file is not needed (a checkpoint to predict) or can be rebuilt (the metrics on resume), exit 0."""
    model = Path(shutil.copytree(earlier_model, tmp_path / "model"))
    args = truncated_case(command, damaged, inputs, model, tmp_path)
    before = tree_digest(tmp_path)
    code, events = worker_here(*args)
    inputs.assert_unchanged()
    if (command, damaged) in RECOVERED:
        assert code == 0 and events[-1]["event"] == "result", events[-3:]
        assert_consistent(model if command == "resume" else tmp_path / "out")
        assert_no_leftovers(tmp_path)
        return
    assert code == 2 and events[-1]["event"] == "error" and "details" not in events[-1], events[-3:]
    name = {"raster": "crop.tif", "labels": "strata.tif", WEIGHTS: weights_file(model).name}.get(damaged, damaged)
    assert name in events[-1]["message"]
    if damaged not in ("raster", "labels"):
        assert len(events) == 1, "refused only after reading the data"
    assert tree_digest(tmp_path) == before
