"""Training under torchrun: two CPU processes (gloo) against one process with the same global batch."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from segmentation_trainer.core.common.config import TrainConfig


def run_training(landcover, folder, processes: int, batch_size: int) -> list[dict]:
    """Train 2 epochs on the land-cover sample; the events printed (JSON lines) by all the processes."""
    launcher = [sys.executable, "-m", "segmentation_trainer"]
    if processes > 1:
        launcher = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(processes)]
        launcher += ["--master_port", "29517", "-m", "segmentation_trainer"]
    command = [*launcher, "train", "--raster", str(landcover["image"]), "--labels", str(landcover["strata"])]
    command += ["--tile-size", "64", "--encoder", "resnet18", "--epochs", "2", "--learning-rate", "0.001"]
    command += ["--batch-size", str(batch_size), "--augmentation", "none", "--device", "cpu"]
    command += ["--output-dir", str(folder), "--events"]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=900, env=os.environ | {"OMP_NUM_THREADS": "1"}
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return [json.loads(line) for line in completed.stdout.splitlines()]


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
    import torch
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
    return evaluate(model, loss, loader, torch.device("cpu"), config.mode, names, StopRequest())


def test_a_comparison_under_torchrun_scores_the_test_blocks_as_one_process_does(landcover_crop, landcover, tmp_path):
    """Two processes share the test tiles and gather them in order: the per-block confusion matrices
    equal a single process's scoring of the same kept model."""
    from segmentation_trainer.core.common.config import CompareConfig, configurations_from_names
    from segmentation_trainer.core.common.events import EventWriter
    from segmentation_trainer.core.comparison.runner import _write_test_evaluation, run_config
    from segmentation_trainer.core.runtime import distributed
    from segmentation_trainer.core.training.loop import prepare_data

    launcher = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29518"]
    command = [*launcher, "-m", "segmentation_trainer", "compare", "--raster", str(landcover_crop)]
    command += ["--labels", str(landcover["strata"]), "--losses", "ce_only", "--runs", "1", "--tile-size", "32"]
    command += ["--encoder", "resnet18", "--epochs", "1", "--block-tiles", "1", "--device", "cpu"]
    command += ["--output-dir", str(tmp_path / "report"), "--events"]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=900, env=os.environ | {"OMP_NUM_THREADS": "1"}
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert sum(json.loads(line)["event"] == "result" for line in completed.stdout.splitlines()) == 1
    train = TrainConfig(
        raster=str(landcover_crop),
        labels=str(landcover["strata"]),
        output_dir=str(tmp_path / "report"),
        tile_size=32,
        encoder="resnet18",
        epochs=1,
        block_tiles=1,
        device="cpu",
    )
    config = CompareConfig(train, configurations_from_names(["ce_only"], "multiclass"), runs=1)
    run = run_config(config.train, config.configurations[0], "unet", train.seed)
    folder = tmp_path / "report" / "runs" / "ce_only" / f"seed{train.seed}"
    reported = json.loads((folder / "test_evaluation.json").read_text())
    data = prepare_data(config.train, EventWriter(io.StringIO()), test_fraction=config.test_fraction)
    (folder / "test_evaluation.json").unlink()
    _write_test_evaluation(run, data, distributed.SINGLE)
    assert json.loads((folder / "test_evaluation.json").read_text()) == reported
    assert len(reported["blocks"]) >= 2
