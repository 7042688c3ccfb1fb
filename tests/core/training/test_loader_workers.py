"""Data-loading workers (``core/data/loading.py``): the same tiles, augmentations and label maps per step, and
so the same run, with any number of workers; spawned workers; stop and kill with workers."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import pickle
import time
from pathlib import Path

import pytest
import torch
from torch.utils.data import DataLoader
from worker_helpers import quiet, train_args, train_config, watch_worker

from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.common.events import EventWriter
from segmentation_trainer.core.common.files import METRICS_FILE, weights_file
from segmentation_trainer.core.data.handles import ProcessHandle
from segmentation_trainer.core.data.loading import worker_count
from segmentation_trainer.core.runtime.cancel import StopRequest
from segmentation_trainer.core.runtime.distributed import SINGLE
from segmentation_trainer.core.training.loop import _loaders, prepare_data, train
from segmentation_trainer.losses import build_loss

FAST = {"encoder": "resnet18", "learning_rate": 1e-3, "batch_size": 4, "tile_size": 64}
VARIED = {"augmentation": "advanced", "cache": "never", "loss": "boundary"}
"""Tiles read from the files (a handle per worker), every augmentation, a loss whose label map the workers make."""


def loaders_of(config, loss=None):
    """The training run's loaders for ``config`` (its tiles prepared here) and the loss whose label map they bring."""
    data = prepare_data(config, quiet())  # reads the raster here first: a forked worker inherits an open handle
    loss = loss or build_loss(config.loss, config.mode, len(data.classes))
    return _loaders(config, data, SINGLE, loss)


def epoch_batches(loaders, epoch: int) -> list[tuple[torch.Tensor, ...]]:
    loaders.set_epoch(epoch)
    return list(loaders.train)


def assert_same_batches(first: list, second: list) -> None:
    assert len(first) == len(second)
    for one, two in zip(first, second):
        assert len(one) == len(two) == 3  # image, labels, label map
        assert all(torch.equal(a, b) for a, b in zip(one, two))


def test_auto_is_no_worker_on_the_cpu_and_up_to_four_on_a_gpu():
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert [worker_count("auto", cpu, cores) for cores in (1, 2, 16)] == [0, 0, 0]
    assert [worker_count("auto", cuda, cores) for cores in (1, 2, 3, 16)] == [0, 1, 2, 4]
    assert worker_count("3", cpu, 2) == worker_count("3", cuda, 2) == 3


@pytest.mark.parametrize(("given", "kept"), [("auto", "auto"), (" AUTO ", "auto"), (2, "2"), ("0", "0"), ("08", "8")])
def test_the_setting_takes_auto_or_a_number(given, kept):
    assert train_config("r.tif", "l.tif", "out", loader_workers=given).loader_workers == kept


@pytest.mark.parametrize("given", ["-1", "two", "1.5", "65"])
def test_the_setting_refuses_other_values(given):
    with pytest.raises(UserError, match="Data loading workers"):
        train_config("r.tif", "l.tif", "out", loader_workers=given)


def test_persistent_workers_give_each_epoch_the_same_tiles_as_the_training_process(landcover_crop, landcover):
    """Two epochs through two persistent workers: every step's tiles, augmentations and label maps are the ones
    the training process makes itself; and the epochs differ (the epoch reaches the workers)."""
    common = {**FAST, **VARIED}
    here = loaders_of(train_config(landcover_crop, landcover["strata"], "x", loader_workers=0, **common))
    workers = loaders_of(train_config(landcover_crop, landcover["strata"], "x", loader_workers=2, **common))
    assert workers.train.num_workers == 2 and workers.train.persistent_workers
    expected = [epoch_batches(here, epoch) for epoch in (1, 2)]
    assert not torch.equal(expected[0][0][0], expected[1][0][0])
    for epoch, batches in zip((1, 2), expected):
        assert_same_batches(epoch_batches(workers, epoch), batches)
    assert_same_batches(epoch_batches(workers, 1), expected[0])  # an epoch seen again: the same draws


def test_two_workers_train_bitwise_like_the_training_process(landcover_crop, landcover, tmp_path):
    """Two epochs (class-balanced draws, advanced augmentation, a label-map loss) with 0 and 2 workers: the same
    metrics and the same weights, bit for bit, on the CPU."""
    for workers in (0, 2):
        options = {**FAST, **VARIED, "epochs": 2, "sampling": "class_balanced", "loader_workers": workers}
        train(
            train_config(landcover_crop, landcover["strata"], tmp_path / str(workers), **options),
            quiet(),
            StopRequest(),
        )
    metrics = [json.loads((tmp_path / w / METRICS_FILE).read_text()) for w in ("0", "2")]
    assert len(metrics[0]) == 2 and metrics[0] == metrics[1]
    assert weights_file(tmp_path / "0").read_bytes() == weights_file(tmp_path / "2").read_bytes()


@pytest.mark.parametrize("labels", ["strata", "polygons"])
def test_a_spawned_worker_reads_the_tiles(labels, landcover_crop, landcover):
    """Spawn (the start method on Windows and macOS) pickles the dataset: raster labels warped onto the raster's
    grid and polygons alike, the raster read from the file, the loss's label map; the batch is the training
    process's."""
    options = {**FAST, **VARIED, "class_field": "id"} if labels == "polygons" else {**FAST, **VARIED}
    loaders = loaders_of(train_config(landcover_crop, landcover[labels], "x", loader_workers=0, **options))
    loaders.set_epoch(3)
    spawned = DataLoader(
        loaders.train.dataset,
        batch_size=2,
        sampler=loaders.sampler,
        num_workers=1,
        multiprocessing_context="spawn",
    )
    here = DataLoader(loaders.train.dataset, batch_size=2, sampler=loaders.sampler)
    assert_same_batches([next(iter(spawned))], [next(iter(here))])


def _read_in_child(source, queue) -> None:
    queue.put(source.get())


def test_a_handle_is_opened_again_in_a_forked_or_unpickled_process(tmp_path):
    """A process that did not open the handle opens its own: a forked one (not reading through its parent's) and
    one that unpickles it (the handle is not pickled)."""
    handle = ProcessHandle(os.getpid, first="parent's")
    assert handle.get() == "parent's"
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_read_in_child, args=(handle, queue))
    child.start()
    assert queue.get(timeout=60) == child.pid
    child.join(60)
    copy = pickle.loads(pickle.dumps(handle))
    assert copy._handle is None and copy.get() == os.getpid()


class _StopAtFirstStep(EventWriter):
    """Events that ask for a stop (the stop file) as the first training step is reported."""

    def __init__(self, stop_file: Path) -> None:
        super().__init__(io.StringIO(), as_json=True)
        self.stop_file, self.asked = stop_file, None

    def emit(self, event: str, **fields) -> None:
        if event == "progress" and self.asked is None:
            self.stop_file.touch()
            self.asked = time.monotonic()
        super().emit(event, **fields)


def test_a_stop_request_ends_a_run_with_workers_at_once(landcover_crop, landcover, tmp_path):
    """The stop file ends the run at the next step, and the workers with it."""
    events = _StopAtFirstStep(tmp_path / "stop")
    config = train_config(landcover_crop, landcover["strata"], tmp_path / "model", epochs=5, loader_workers=2, **FAST)
    result = train(config, events, StopRequest(str(events.stop_file)))
    assert result["cancelled"] and time.monotonic() - events.asked < 10
    assert multiprocessing.active_children() == []


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux)."""
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _running(pid: int) -> bool:
    """Whether the process ``pid`` runs (neither gone nor a zombie waiting to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_killing_the_worker_ends_its_loading_workers(landcover_crop, landcover, tmp_path):
    """A kill -9 of the training process (the plugin's last resort): its data-loading workers notice and exit."""
    children = []

    def kill_at_first_step(event: dict, process) -> None:
        if event["event"] == "progress" and not children:
            children.extend(_children(process.pid))
            process.kill()

    args = train_args(landcover_crop, landcover["strata"], tmp_path, epochs=5, loader_workers=2, **FAST)
    code, _ = watch_worker(*args, react=kill_at_first_step)
    assert code == -9 and len(children) >= 2
    deadline = time.monotonic() + 30
    while any(map(_running, children)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(_running, children))
