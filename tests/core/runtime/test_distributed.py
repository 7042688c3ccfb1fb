"""Training under torchrun: two CPU processes (gloo) against one process with the same global batch."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from worker_helpers import compare_args, train_args, train_config

from segmentation_trainer.core.common.config import TrainConfig


def launcher(processes: int, port: int) -> list[str]:
    """``python -m segmentation_trainer``, started by torchrun in ``processes`` processes when more than one."""
    if processes == 1:
        return [sys.executable, "-m", "segmentation_trainer"]
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(processes)]
    return [*torchrun, "--master_port", str(port), "-m", "segmentation_trainer"]


def run_events(command: list[str]) -> list[dict]:
    """Run the worker ``command`` with ``--events`` (one thread per process), which must succeed; the
    events printed by all the processes."""
    completed = subprocess.run(
        [*command, "--events"], capture_output=True, text=True, timeout=900, env=os.environ | {"OMP_NUM_THREADS": "1"}
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return [json.loads(line) for line in completed.stdout.splitlines()]


def run_training(landcover, folder, processes: int, batch_size: int) -> list[dict]:
    """Train 2 epochs on the land-cover sample; the events printed (JSON lines) by all the processes."""
    options = {"tile_size": 64, "encoder": "resnet18", "epochs": 2, "learning_rate": 0.001, "batch_size": batch_size}
    args = train_args(landcover["image"], landcover["strata"], folder, augmentation="none", device="cpu", **options)
    return run_events([*launcher(processes, 29517), *args])


def test_two_processes_match_one_with_the_same_global_batch(landcover, tmp_path):
    single = run_training(landcover, tmp_path / "single", processes=1, batch_size=8)
    double = run_training(landcover, tmp_path / "ddp", processes=2, batch_size=4)
    # rank 0 alone reports: one line per event, the same kinds and count as a single process
    epochs = [[e for e in run if e["event"] == "epoch"] for run in (single, double)]
    assert [len(e) for e in epochs] == [2, 2]
    assert sum(e["event"] == "result" for e in double) == 1
    assert any("x 2 processes" in e.get("message", "") for e in double)
    assert set(epochs[1][0]) == set(epochs[0][0])  # the same metrics format
    for one, two in zip(*epochs):
        # the same tiles in every global batch, gradients averaged: the training loss follows the
        # single process's (not exactly: batch norm statistics are per process on CPU, and a loss's
        # mean over one process's pixels is not the mean over the global batch's)
        assert two["train_loss"] == pytest.approx(one["train_loss"], rel=0.1)

    # validation is sharded and summed: scoring the saved model in one process gives what the two
    # processes reported for its epoch, tile by tile
    history = json.loads((tmp_path / "ddp" / "metrics.json").read_text())
    meta = json.loads((tmp_path / "ddp" / "model.json").read_text())
    reported = history[meta["metrics"]["best_epoch"] - 1]
    rescored = rescore(landcover, tmp_path / "ddp")
    assert rescored["miou"] == pytest.approx(reported["miou"], abs=1e-6)
    assert rescored["pixel_accuracy"] == pytest.approx(reported["pixel_accuracy"], abs=1e-6)
    # the validation loss is a pixel-weighted mean of per-batch losses, and Dice is computed per batch:
    # other batches (a shard's, here 3 tiles) give a close, not identical value
    assert rescored["val_loss"] == pytest.approx(reported["val_loss"], rel=0.02)
    assert meta["status"] == "complete"


def rescore(landcover, model_dir) -> dict:
    """The saved model's validation metrics, computed in this (single) process."""
    from torch.utils.data import DataLoader

    from segmentation_trainer.core.common.events import EventWriter
    from segmentation_trainer.core.data.dataset import TileDataset
    from segmentation_trainer.core.models.model_store import load_model
    from segmentation_trainer.core.runtime.cancel import StopRequest
    from segmentation_trainer.core.training.loop import evaluate, prepare_data
    from segmentation_trainer.losses import build_loss

    meta = json.loads((model_dir / "model.json").read_text())
    config = TrainConfig(**meta["train_config"])
    data = prepare_data(config, EventWriter(io.StringIO()))
    model, _ = load_model(model_dir)
    loader = DataLoader(TileDataset(data.source, data.split.validation, data.stats), batch_size=3)
    loss = build_loss(config.loss, config.mode, len(data.classes), **config.loss_params)
    names = [c.name for c in data.classes]
    return evaluate(model, loss, loader, config.mode, names, StopRequest())


def test_a_comparison_under_torchrun_scores_the_test_blocks_as_one_process_does(landcover_crop, landcover, tmp_path):
    """Two processes share the test tiles and gather them in order: the per-block confusion matrices
    equal a single process's scoring of the same kept model."""
    from segmentation_trainer.core.common.config import CompareConfig, configurations_from_names
    from segmentation_trainer.core.common.events import EventWriter
    from segmentation_trainer.core.comparison.runner import _write_test_evaluation, run_config
    from segmentation_trainer.core.runtime import distributed
    from segmentation_trainer.core.training.loop import prepare_data

    options = {"tile_size": 32, "encoder": "resnet18", "epochs": 1, "block_tiles": 1, "device": "cpu"}
    args = compare_args(landcover_crop, landcover["strata"], tmp_path / "report", losses="ce_only", runs=1, **options)
    events = run_events([*launcher(2, 29518), *args])
    assert sum(e["event"] == "result" for e in events) == 1
    train = train_config(landcover_crop, landcover["strata"], tmp_path / "report", **options)
    config = CompareConfig(train, configurations_from_names(["ce_only"], "multiclass"), runs=1)
    run = run_config(config.train, config.configurations[0], "unet", train.seed)
    folder = tmp_path / "report" / "runs" / "ce_only" / f"seed{train.seed}"
    reported = json.loads((folder / "test_evaluation.json").read_text())
    data = prepare_data(config.train, EventWriter(io.StringIO()), test_fraction=config.test_fraction)
    (folder / "test_evaluation.json").unlink()
    _write_test_evaluation(run, data, distributed.SINGLE)
    assert json.loads((folder / "test_evaluation.json").read_text()) == reported
    assert len(reported["blocks"]) >= 2
