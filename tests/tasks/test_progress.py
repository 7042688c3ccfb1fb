"""What users read of the worker's events (tasks/progress.py), in English; the French lines are in
tests/ui/test_translation.py."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsApplication

from segmentation_trainer.core.common.files import WEIGHTS_CACHE_VARIABLE
from segmentation_trainer.tasks import progress
from segmentation_trainer.tasks.worker_env import weights_cache, worker_environment


def test_percent_only_for_progress_events_and_clamped(qgis_app):
    assert progress.percent({"event": "progress", "fraction": 0.25}) == 25.0
    assert progress.percent({"event": "progress", "fraction": 1.2}) == 100.0
    assert progress.percent({"event": "log", "message": "x"}) is None


def test_log_lines_and_their_level(qgis_app):
    assert progress.log_line({"event": "log", "level": "warning", "message": "careful"}) == ("careful", True)
    assert progress.log_line({"event": "error", "message": "bad"}) == ("bad", True)
    assert progress.log_line({"event": "result", "model_dir": "m"}) is None
    epoch = {"event": "epoch", "epoch": 2, "epochs": 5, "train_loss": 0.51234, "miou": None, "configuration": "equal"}
    assert progress.log_line(epoch) == ("equal: Epoch 2/5: train loss 0.5123, validation mIoU n/a", False)


def test_status_lines_for_training_prediction_and_download(qgis_app):
    train = {"stage": "train", "epoch": 1, "epochs": 3, "batch": 4, "batches": 8, "fraction": 0.25, "eta_s": 75}
    assert progress.status_line(train, 10) == "Epoch 1/3 · batch 4/8 · ETA 1 min 15 s"
    predict = {"stage": "predict", "batch": 1, "batches": 4, "fraction": 0.25}
    assert progress.status_line(predict, 10) == "Chunk 1/4 · ETA 30 s"  # extrapolated: 10 s for a quarter
    download = {"stage": "download", "what": "resnet34 imagenet", "done_mb": 20.5, "total_mb": 87.3, "fraction": 0.5}
    assert progress.status_line(download, 4) == "Downloading resnet34 imagenet: 20.5 of 87.3 MB · ETA 4 s"


def test_the_worker_keeps_downloaded_weights_in_the_qgis_profile(qgis_app, monkeypatch):
    monkeypatch.delenv(WEIGHTS_CACHE_VARIABLE, raising=False)
    assert Path(worker_environment()[WEIGHTS_CACHE_VARIABLE]) == weights_cache()
    assert weights_cache().is_relative_to(Path(QgsApplication.qgisSettingsDirPath()))
