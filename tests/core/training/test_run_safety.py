"""Nothing lost, nothing silently wrong (issue 18, items 2, 3, 5, 7): stops, kills, a new run or a resume into a
folder that holds a model, diverging runs, NaN weights at prediction. The real worker (a subprocess where the exit
status, a stop file or a kill matters) on a crop of the land-cover sample, small tiles, few epochs."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from safetensors.torch import load_file, save_file
from worker_helpers import quiet, train_args, train_config, watch_worker, worker_args

from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.common.events import EventWriter
from segmentation_trainer.core.common.files import (
    METADATA_FILE,
    METRICS_FILE,
    METRICS_TABLE,
    PREVIOUS_RUNS,
    weights_file,
)
from segmentation_trainer.core.models.checkpoint import read_checkpoint_state
from segmentation_trainer.core.models.model_store import load_model, read_metadata
from segmentation_trainer.core.runtime.cancel import StopRequest
from segmentation_trainer.core.training.loop import train

FAST = {"tile_size": 64, "batch_size": 4, "encoder": "resnet18", "learning_rate": 0.001}


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder``, by path relative to it: its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def messages(events: list[dict]) -> str:
    return "\n".join(e.get("message", "") for e in events)


def events_of(writer: EventWriter) -> list[dict]:
    return [json.loads(line) for line in writer.stream.getvalue().splitlines()]


@pytest.fixture(scope="module")
def first_run(landcover_crop, landcover, tmp_path_factory) -> Path:
    """A model folder holding a finished run of 2 epochs: model, checkpoint, metrics."""
    folder = tmp_path_factory.mktemp("first_run")
    train(train_config(landcover_crop, landcover["strata"], folder, epochs=2, **FAST), quiet(), StopRequest())
    return folder


@pytest.fixture
def model_dir(first_run, tmp_path) -> Path:
    """A copy of ``first_run`` to write into."""
    return Path(shutil.copytree(first_run, tmp_path / "model"))


def test_a_stop_before_the_first_epoch_leaves_the_folders_model_bit_identical(
    model_dir, landcover_crop, landcover, tmp_path
):
    before, stop = digest(model_dir), tmp_path / "stop"

    def stop_after_the_first_batch(event: dict, _process) -> None:
        if event["event"] == "progress":
            stop.touch()

    options = FAST | {"batch_size": 1}  # several batches an epoch: the stop is seen in the first epoch
    args = train_args(landcover_crop, landcover["strata"], model_dir, epochs=3, stop_file=stop, **options)
    code, events = watch_worker(*args, react=stop_after_the_first_batch)
    assert code == 0 and events[-1]["event"] == "cancelled", events[-3:]
    assert "nothing was written" in events[-1]["message"]
    assert f"the model in {model_dir} is unchanged" in events[-1]["message"]
    assert events[-1]["model_dir"] == str(model_dir)
    assert digest(model_dir) == before


def test_a_stop_file_left_by_an_earlier_run_does_not_stop_the_next(worker, landcover_crop, landcover, tmp_path):
    stop = tmp_path / "stop"
    stop.touch()
    args = train_args(landcover_crop, landcover["strata"], tmp_path / "model", epochs=1, stop_file=stop, **FAST)
    code, events = worker(*args)
    assert code == 0 and events[-1]["event"] == "result", events[-3:]
    assert f"Removed the stop file {stop} left by an earlier run" in messages(events)
    assert not stop.exists()
    assert read_metadata(tmp_path / "model")["status"] == "complete"


def test_a_new_run_moves_the_earlier_model_to_a_previous_subfolder(model_dir, landcover_crop, landcover):
    before, writer = digest(model_dir), quiet()
    train(train_config(landcover_crop, landcover["strata"], model_dir, epochs=1, **FAST), writer, StopRequest())
    (kept,) = (model_dir / PREVIOUS_RUNS).iterdir()
    assert digest(kept) == before
    assert f"held an earlier model: moved to {kept}" in messages(events_of(writer))
    assert read_metadata(model_dir)["epochs_completed"] == 1
    assert len(json.loads((model_dir / METRICS_FILE).read_text())) == 1


def test_a_kill_during_training_then_resume_never_lowers_the_best_model(landcover_crop, landcover, tmp_path):
    """``kill -9`` just as epoch 2 ends (its files being written, or the next epoch started): the model kept is
    complete, the checkpoint's best is at least the kept model's, and the resumed run keeps at least that model,
    with one metrics record per epoch."""
    folder = tmp_path / "model"

    def kill_after_epoch_2(event: dict, process) -> None:
        if event["event"] == "epoch" and event["epoch"] == 2:
            process.kill()

    code, events = watch_worker(
        *train_args(landcover_crop, landcover["strata"], folder, epochs=4, **FAST), react=kill_after_epoch_2
    )
    assert code == -9, events[-3:]
    load_model(folder)  # complete, finite weights
    kept = read_metadata(folder)["metrics"]["best_miou"]
    assert read_checkpoint_state(folder)["best_miou"] >= kept

    config = train_config(landcover_crop, landcover["strata"], folder, epochs=4, resume=True, **FAST)
    result = train(config, quiet(), StopRequest())
    history = json.loads((folder / METRICS_FILE).read_text())
    assert [r["epoch"] for r in history] == [1, 2, 3, 4]
    assert result["best_miou"] >= kept
    assert read_metadata(folder)["metrics"]["best_miou"] == max(r["miou"] for r in history) == result["best_miou"]


def test_a_resume_saves_again_the_best_model_whose_saving_a_kill_interrupted(landcover_crop, landcover, tmp_path):
    """A kill between the checkpoint of a better epoch and its model: the checkpoint holds that epoch's weights,
    and the resumed run saves them before it goes on."""
    data = (landcover_crop, landcover["strata"])
    train(train_config(*data, tmp_path, epochs=1, **FAST), quiet(), StopRequest())
    best = read_metadata(tmp_path)["metrics"]["best_miou"]
    for path in [weights_file(tmp_path), *(tmp_path / n for n in (METADATA_FILE, METRICS_FILE, METRICS_TABLE))]:
        path.unlink()  # written after epoch 1's checkpoint
    writer = quiet()
    result = train(train_config(*data, tmp_path, epochs=2, resume=True, **FAST), writer, StopRequest())
    assert "The model of epoch 1, the best, was not completely saved: saved it again." in messages(events_of(writer))
    assert result["best_miou"] >= best
    assert [r["epoch"] for r in json.loads((tmp_path / METRICS_FILE).read_text())] == [1, 2]


def test_a_diverging_run_stops_with_exit_2_and_keeps_the_earlier_model(worker, model_dir, landcover_crop, landcover):
    """A learning rate of 1 (the highest allowed) makes the network's outputs overflow in its first epoch."""
    before = digest(model_dir)
    args = train_args(landcover_crop, landcover["strata"], model_dir, epochs=3, **FAST | {"learning_rate": 1.0})
    code, events = worker(*args)
    assert code == 2 and events[-1]["event"] == "error", events[-3:]
    message = events[-1]["message"]
    assert message.startswith("Training diverged: the validation loss became nan at epoch 1")
    assert "the learning rate 1 is too high (the default is 0.0001)" in message
    assert f"the model in {model_dir} is unchanged" in message and "details" not in events[-1]
    assert digest(model_dir) == before


def test_predict_refuses_a_model_whose_weights_hold_nan(worker, model_dir, landcover_crop, tmp_path):
    weights = load_file(str(weights_file(model_dir)))
    name = next(k for k, v in weights.items() if v.is_floating_point() and v.numel() > 10)
    weights[name].view(-1)[:10] = float("nan")
    save_file(weights, str(weights_file(model_dir)))
    output = tmp_path / "prediction.tif"
    code, events = worker(*worker_args("predict", model=model_dir, raster=landcover_crop, output=output))
    assert code == 2, events[-3:]
    assert f"The weights in {model_dir} hold 10 NaN or infinite values" in events[-1]["message"]
    assert not output.exists()


def test_a_resume_with_another_learning_rate_or_loss_is_refused_naming_them(model_dir, landcover_crop, landcover):
    before = digest(model_dir)
    changed = FAST | {"learning_rate": 0.01, "loss": "focal"}
    config = train_config(landcover_crop, landcover["strata"], model_dir, epochs=3, resume=True, **changed)
    with pytest.raises(UserError) as refused:
        train(config, quiet(), StopRequest())
    message = str(refused.value)
    assert "Learning rate 0.001 in the run, 0.01 now" in message and "Loss 'dice_ce' in the run, 'focal' now" in message
    assert "Epochs" not in message.split("Only these")[0]  # more epochs may change
    assert digest(model_dir) == before


def test_a_resume_with_more_epochs_continues_the_run(model_dir, landcover_crop, landcover):
    writer = quiet()
    config = train_config(landcover_crop, landcover["strata"], model_dir, epochs=3, resume=True, **FAST)
    train(config, writer, StopRequest())
    events = events_of(writer)
    changes = next(e["message"] for e in events if e.get("message", "").startswith("Resuming with changed"))
    assert "Epochs 2 in the run, 3 now" in changes  # and the model folder, copied
    assert [e["epoch"] for e in events if e["event"] == "epoch"] == [3]
    assert read_metadata(model_dir)["train_config"]["epochs"] == 3
    assert not (model_dir / PREVIOUS_RUNS).exists()
