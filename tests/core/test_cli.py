"""The worker command line end to end on real data: train, predict, cancel, bad input."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import rasterio
import rasterio.warp
from safetensors.torch import load_file
from worker_helpers import train_args, watch_worker, worker_args

from segmentation_trainer.core.common.files import METADATA_FILE, METRICS_FILE, METRICS_TABLE, weights_file
from segmentation_trainer.core.runtime.openmp import SPIN_COUNT
from segmentation_trainer.core.training.loop import METRICS_COLUMNS

TRAIN_FAST = {"tile_size": 64, "batch_size": 4, "encoder": "resnet18", "learning_rate": 0.001}


@pytest.fixture(scope="module")
def trained(worker, landcover, landcover_crop, tmp_path_factory):
    model_dir = tmp_path_factory.mktemp("model")
    code, events = worker(*train_args(landcover_crop, landcover["strata"], model_dir, epochs=2, **TRAIN_FAST))
    assert code == 0, events
    return model_dir, events


def crop_classes(landcover, crop) -> list[int]:
    """The strata classes present under the crop (the class table a run derives)."""
    with rasterio.open(crop) as src, rasterio.open(landcover["strata"]) as ref:
        truth = ref.read(1, window=rasterio.windows.from_bounds(*src.bounds, transform=ref.transform))
    return sorted(int(v) for v in np.unique(truth[truth != ref.nodata]))


def test_train_streams_events_and_writes_a_model_folder(trained, landcover, landcover_crop):
    model_dir, events = trained
    kinds = [e["event"] for e in events]
    assert kinds.count("epoch") == 2 and kinds[-1] == "result"
    progress = [e["fraction"] for e in events if e["event"] == "progress"]
    assert progress == sorted(progress) and progress[-1] == pytest.approx(1.0)
    epoch = next(e for e in events if e["event"] == "epoch")
    assert {*METRICS_COLUMNS, "per_class_iou"} <= set(epoch)
    files = [METADATA_FILE, weights_file(model_dir).name, METRICS_FILE, METRICS_TABLE, "checkpoint.safetensors"]
    assert sorted(p.name for p in model_dir.iterdir()) == sorted(files)
    result = events[-1]
    for key in (
        "best_miou",
        "final_miou",
        "best_pixel_accuracy",
        "min_val_loss",
        "average_grad_norm",
        "loss_reduction_pct",
        "stability",
    ):
        assert key in result and result[key] is not None, key
    rows = (model_dir / METRICS_TABLE).read_text().splitlines()
    assert len(rows) == 3 and rows[0].startswith(",".join(METRICS_COLUMNS))
    meta = json.loads((model_dir / METADATA_FILE).read_text())
    for key in (
        "architecture",
        "encoder",
        "in_channels",
        "classes",
        "normalization",
        "tile_size",
        "crs",
        "resolution",
        "loss",
        "metrics",
        "versions",
    ):
        assert key in meta
    assert meta["in_channels"] == 5 and meta["tile_size"] == 64 and meta["resolution"] == [28.5, 28.5]
    classes = crop_classes(landcover, landcover_crop)
    assert [c["value"] for c in meta["classes"]] == classes and len(classes) >= 4
    assert meta["loss"]["name"] == "dice_ce" and meta["status"] == "complete"
    assert len(meta["normalization"]["mean"]) == 5
    assert load_file(str(weights_file(model_dir)))  # safetensors, no pickle


def test_predict_writes_a_georeferenced_class_raster(worker, trained, landcover, landcover_crop, tmp_path):
    model_dir, _ = trained
    output = tmp_path / "prediction.tif"
    code, events = worker(*worker_args("predict", model=model_dir, raster=landcover_crop, output=output))
    assert code == 0, events
    with rasterio.open(output) as pred, rasterio.open(landcover_crop) as src:
        assert pred.crs == src.crs and pred.transform == src.transform and pred.shape == src.shape
        assert pred.dtypes[0] == "uint8" and pred.nodata == 255
        values = pred.read(1)
        image = src.read()
    classes = crop_classes(landcover, landcover_crop)
    assert set(np.unique(values)) <= set(classes) | {255}
    nodata_input = (image == -99999).any(axis=0)
    assert nodata_input.any() and (values[nodata_input] == 255).all() and (values[~nodata_input] != 255).all()
    (result,) = events[-1]["predictions"]
    assert events[-1]["event"] == "result" and [c["value"] for c in result["classes"]] == classes


def test_predict_on_an_extent_in_another_crs_snaps_to_the_grid(worker, trained, landcover_crop, tmp_path):
    model_dir, _ = trained
    with rasterio.open(landcover_crop) as src:
        left, top = src.transform * (40.3, 50.6)
        right, bottom = src.transform * (150.2, 130.1)
        transform = src.transform
    lon, lat = rasterio.warp.transform("EPSG:32119", "EPSG:4326", [left, right], [bottom, top])
    output = tmp_path / "part.tif"
    extent = f"--extent={lon[0]},{lat[0]},{lon[1]},{lat[1]}"  # one argument: it may start with "-"
    args = worker_args("predict", model=model_dir, raster=landcover_crop, extent_crs="EPSG:4326", output=output)
    code, events = worker(*args, extent)
    assert code == 0, events
    with rasterio.open(output) as pred:
        col, row = ~transform * (pred.transform.c, pred.transform.f)
        assert col == pytest.approx(round(col)) and row == pytest.approx(round(row))  # on the pixel grid
        assert 35 <= col <= 41 and 45 <= row <= 51
        assert 105 <= pred.width <= 125 and 75 <= pred.height <= 95


def test_a_stop_request_ends_training_cleanly_and_writes_no_untrained_model(landcover, landcover_crop, tmp_path):
    """A stop asked for during the first epoch (the plugin creates the stop file on Cancel): exit 0, a cancelled
    event saying that no model was written, and none is."""
    stop, model_dir = tmp_path / "stop", tmp_path / "model"

    def stop_after_the_first_batch(event: dict, _process) -> None:
        if event["event"] == "progress":
            stop.touch()

    options = TRAIN_FAST | {"batch_size": 1}  # several batches an epoch: the stop is seen in the first epoch
    args = train_args(landcover_crop, landcover["strata"], model_dir, epochs=5, stop_file=stop, **options)
    code, events = watch_worker(*args, react=stop_after_the_first_batch)
    assert code == 0
    message = f"Training stopped before an epoch ended, so nothing was written: there is no model in {model_dir}."
    assert events[-1] == {"event": "cancelled", "message": message}
    assert not (model_dir / METADATA_FILE).exists()


def test_bad_input_gives_a_clear_message_and_exit_2(worker, landcover, landcover_crop, tmp_path):
    code, events = worker(*train_args(landcover_crop, landcover["polygons"], tmp_path / "m", class_field="klass"))
    assert code == 2
    assert events == [{"event": "error", "message": events[0]["message"]}]
    assert "no field 'klass'" in events[0]["message"] and "label, id" in events[0]["message"]


def test_band_count_mismatch_names_both_counts(worker, trained, buildings, tmp_path):
    model_dir, _ = trained
    code, events = worker(
        *worker_args("predict", model=model_dir, raster=buildings["image"], output=tmp_path / "p.tif")
    )
    assert code == 2
    assert "has 1 band(s) but the model was trained on 5" in events[-1]["message"]
    assert not (tmp_path / "p.tif").exists()


def test_not_a_model_folder(worker, landcover_crop, tmp_path):
    code, events = worker(*worker_args("predict", model=tmp_path, raster=landcover_crop, output=tmp_path / "p.tif"))
    assert code == 2 and "is not a model folder" in events[-1]["message"]


def test_human_readable_output_without_events(trained, landcover_crop, tmp_path):
    model_dir, _ = trained
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "segmentation_trainer",
            *worker_args("predict", model=model_dir, raster=landcover_crop, output=tmp_path / "p.tif"),
        ],
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=300,
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("Predicting 192 x 192 pixels")
    assert f"\n      prediction: {tmp_path / 'p.tif'}\n" in completed.stdout and '{"event"' not in completed.stdout


def test_dry_run_reports_tiles_and_pixels_per_class_without_training(worker, landcover, tmp_path):
    code, events = worker(
        *train_args(landcover["image"], landcover["strata"], tmp_path / "model", tile_size=128, dry_run=True)
    )
    assert code == 0, events[-1]
    summary = events[-1]["summary"]
    assert [{k: r[k] for k in ("width", "height", "bands")} for r in summary["rasters"]] == [
        {"width": 489, "height": 443, "bands": 5}
    ]
    assert summary["tile_size"] == 128
    assert summary["tiles"]["train"] > 0 and summary["tiles"]["validation"] > 0
    assert [c["value"] for c in summary["classes"]] == list(range(1, 8))
    assert sum(c["train_pixels"] + c["validation_pixels"] for c in summary["classes"]) > 0.5 * 489 * 443 * 0.5
    assert not (tmp_path / "model").exists()  # nothing written


def test_check_reports_versions_and_device(worker):
    code, events = worker("check")
    assert code == 0
    result = events[-1]
    for package in ("torch", "segmentation_models_pytorch"):  # the worker runs this environment's packages
        assert result["versions"][package] == importlib.import_module(package).__version__, package
    assert result["device"] in ("cpu", "cuda") and result["python"]


def test_the_worker_limits_openmp_spinning_unless_the_user_set_it(worker, monkeypatch):
    """``python -m segmentation_trainer`` sets GOMP_SPINCOUNT before importing PyTorch (core.runtime.openmp)."""
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    assert worker("check")[1][-1]["openmp_spin_count"] == SPIN_COUNT
    assert worker("check", env={"GOMP_SPINCOUNT": "123"})[1][-1]["openmp_spin_count"] == "123"


@pytest.mark.parametrize("command", ["predict", "rasterize"])
def test_an_output_that_is_an_input_is_refused_and_the_input_kept(worker, landcover, landcover_crop, tmp_path, command):
    image = tmp_path / "image.tif"
    image.write_bytes(landcover_crop.read_bytes())
    link = tmp_path / "same_image.tif"  # another spelling of the input
    link.symlink_to(image)
    options = {"model": tmp_path / "model"} if command == "predict" else {"labels": landcover["strata"]}
    code, events = worker(*worker_args(command, raster=image, output=link, **options))
    assert code == 2 and "that would destroy it" in events[-1]["message"]
    assert image.read_bytes() == landcover_crop.read_bytes()


def test_a_file_left_unfinished_by_a_killed_prediction_is_removed(worker, trained, landcover_crop, tmp_path):
    model_dir, _ = trained
    output = tmp_path / "p.tif"
    left = tmp_path / "p.tif.partial.tif"  # what kill -9 leaves: a raster never completed
    left.write_bytes(b"")
    code, events = worker(*worker_args("predict", model=model_dir, raster=landcover_crop, output=output))
    assert code == 0 and output.stat().st_size > 0 and not left.exists()
    assert any(f"Removed {left}, left unfinished" in e.get("message", "") for e in events)
