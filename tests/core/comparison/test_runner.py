"""The loss comparison on the real land-cover sample: reproducible report, cancel and resume, bad input."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from worker_helpers import compare_args, train_config

from segmentation_trainer.core.common.config import (
    CompareConfig,
    LossConfiguration,
    TrainConfig,
    configurations_from_names,
    load_config,
)
from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.common.events import EventWriter
from segmentation_trainer.core.comparison.runner import compare
from segmentation_trainer.core.runtime.cancel import StopRequest
from segmentation_trainer.losses import LOSS_PRESETS

FAST = {"encoder": "resnet18", "learning_rate": 1e-3, "batch_size": 4, "tile_size": 32, "epochs": 1}
DIVERGING = FAST | {"tile_size": 64, "learning_rate": 1.0}  # the network's outputs overflow in the first epoch


def comparison(landcover_crop, landcover, folder, names=("ce_only", "dice_dominant"), **options) -> CompareConfig:
    train = train_config(landcover_crop, landcover["strata"], folder, **FAST)
    options = {"runs": 2} | options
    return CompareConfig(train, configurations_from_names(list(names), "multiclass"), **options)


def test_same_seed_and_data_give_identical_tables(landcover_crop, landcover, tmp_path):
    results = []
    for name in ("a", "b"):
        summary = compare(
            comparison(landcover_crop, landcover, tmp_path / name), EventWriter(io.StringIO()), StopRequest()
        )
        results.append(summary)
    a, b = tmp_path / "a", tmp_path / "b"
    assert (a / "results.csv").read_bytes() == (b / "results.csv").read_bytes()
    assert (a / "results.json").read_bytes() == (b / "results.json").read_bytes()
    table = json.loads((a / "results.json").read_text())
    rows = table["configurations"]
    # selection order: mean best validation mIoU over the two runs, read back from each run's folder
    validation = {
        name: np.mean(
            [
                json.loads((a / "runs" / name / f"seed{s}" / "model.json").read_text())["metrics"]["best_miou"]
                for s in (42, 43)
            ]
        )
        for name in ("ce_only", "dice_dominant")
    }
    assert [r["configuration"] for r in rows] == sorted(validation, key=lambda n: -validation[n])
    assert [r["validation_miou"] for r in rows] == pytest.approx(sorted(validation.values(), reverse=True))
    best, other = rows
    assert table["best"] == best["configuration"] == results[0]["best"] and best["vs_best"] is None
    assert 0.0 <= other["vs_best"]["p_value"] <= other["vs_best"]["p_holm"] <= 1.0
    assert best["test_interval"][0] <= best["test_miou"] <= best["test_interval"][1]
    assert table["baseline"] == "ce_only" and table["complete"] and best["runs"] == 2
    method = table["method"]
    assert method["seeds"] == [42, 43] and method["test_blocks"] >= 2 and method["comparisons"] == 1
    # the test set is its own: its blocks are neither training nor validation blocks of any run
    tested = json.loads((a / "runs" / "ce_only" / "seed42" / "test_evaluation.json").read_text())
    assert len(tested["blocks"]) == method["test_blocks"]
    for gain in table["class_gains"]:  # Table VI agrees with the per-class table
        baseline = next(r for r in rows if r["configuration"] == "ce_only")
        assert gain["baseline_iou"] == baseline["per_class_iou"][gain["class"]]
    html = (a / "report.html").read_text()
    assert all(name in html for name in ("ce_only", "dice_dominant", "Holm", "Method", "miou.png", "loss.png"))
    assert table["recommendation"] in html.replace("&#x27;", "'")
    assert (a / "miou.png").read_bytes()[:4] == b"\x89PNG" and (a / "loss.png").stat().st_size > 1000
    final = load_config(TrainConfig, a / "best_run.json")
    assert final.loss_params == LOSS_PRESETS[table["best"]] and final.output_dir == str(a / "final_model")


def stream_worker(args: list[str], stop_after: str | None = None, stop_file=None) -> tuple[int, list[dict]]:
    """Run the worker with ``--events``, creating ``stop_file`` once a log line contains ``stop_after``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "segmentation_trainer", *args, "--events"],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    events = []
    for line in process.stdout:
        event = json.loads(line)
        events.append(event)
        if stop_after and event["event"] == "log" and stop_after in event["message"]:
            stop_file.touch()
    return process.wait(timeout=600), events


def test_cancel_keeps_finished_runs_and_a_second_start_reuses_them(landcover_crop, landcover, tmp_path):
    report, stop = tmp_path / "report", tmp_path / "stop"
    losses = "ce_only,dice_dominant,focal_only"
    args = compare_args(landcover_crop, landcover["strata"], report, losses=losses, runs=2, **FAST)
    code, events = stream_worker([*args, "--stop-file", str(stop)], stop_after="(run 2 of 6)", stop_file=stop)
    assert code == 0
    cancelled = [e for e in events if e["event"] == "cancelled"]
    assert len(cancelled) == 1 and "after 1 of 3" in cancelled[0]["message"]
    table = json.loads((report / "results.json").read_text())
    assert [r["configuration"] for r in table["configurations"]] == ["ce_only"] and not table["complete"]
    assert "was stopped" in (report / "report.html").read_text()
    progress = [e for e in events if e["event"] == "progress"]
    assert progress and all(e["fraction"] <= 2 / 6 + 0.2 and e["runs"] == 6 for e in progress)

    stop.unlink()
    # another number of data-loading workers computes the same: the finished run is still reused
    second = [*args, "--loader-workers", "0", "--second-architecture", "deeplabv3plus", "--baseline", "dice_dominant"]
    code, events = stream_worker(second)
    assert code == 0, events[-1]
    logs = [e["message"] for e in events if e["event"] == "log"]
    assert any("ce_only: reusing the finished run" in m for m in logs)
    assert not any("dice_dominant: reusing" in m for m in logs)
    result = next(e for e in events if e["event"] == "result")
    table = json.loads((report / "results.json").read_text())
    assert len(table["configurations"]) == 3 and table["complete"] and table["baseline"] == "dice_dominant"
    assert result["best"] == table["best"] and result["report"] == str(report / "report.html")
    architectures = table["second_architecture"]
    assert [a["architecture"] for a in architectures] == ["unet", "deeplabv3plus"]
    assert architectures[1]["parameters"] != architectures[0]["parameters"]
    epochs = [e for e in events if e["event"] == "epoch"]
    assert {e["configuration"] for e in epochs} == {"dice_dominant", "focal_only", f"{table['best']}_deeplabv3plus"}


def test_a_diverging_configuration_is_reported_and_the_comparison_goes_on(
    landcover_crop, landcover, tmp_path, monkeypatch
):
    """One configuration's run really diverges (the learning rate 1, as in test_run_safety's diverging run; the
    others train at FAST's): it is listed as diverged in the report and the worker's result, and the other
    configurations are still trained and compared (issue 18)."""
    from segmentation_trainer.core.comparison import runner

    real_train = runner.train

    def dice_dominant_diverges(config, *args, **kwargs):
        if config.loss_params != LOSS_PRESETS["dice_dominant"]:
            config = dataclasses.replace(config, learning_rate=FAST["learning_rate"])
        return real_train(config, *args, **kwargs)

    monkeypatch.setattr(runner, "train", dice_dominant_diverges)
    names = ("ce_only", "dice_dominant", "focal_only")
    stream = io.StringIO()
    train = train_config(landcover_crop, landcover["strata"], tmp_path, **DIVERGING)
    config = CompareConfig(train, configurations_from_names(list(names), "multiclass"), runs=1)
    summary = compare(config, EventWriter(stream), StopRequest())
    table = json.loads((tmp_path / "results.json").read_text())
    assert {r["configuration"] for r in table["configurations"]} == {"ce_only", "focal_only"}
    (failed,) = table["failed"]
    assert failed["configuration"] == "dice_dominant" and failed["status"] == "diverged" and failed["seed"] == 42
    assert failed["reason"].startswith("Training diverged:") and table["complete"]
    assert summary["failed"][0]["configuration"] == "dice_dominant"
    assert "Left out of the verdict because their training diverged" in table["recommendation"]
    assert "dice_dominant (seed 42)" in table["recommendation"]
    html = (tmp_path / "report.html").read_text()
    assert "Left out of the verdict" in html and "Training diverged:" in html
    warnings = [
        line for line in stream.getvalue().splitlines() if "left out of the verdict, and the comparison" in line
    ]
    assert len(warnings) == 1 and "dice_dominant diverged (seed 42)" in warnings[0]


def test_a_comparison_whose_every_configuration_diverges_exits_2(worker, landcover_crop, landcover, tmp_path):
    options = DIVERGING | {"losses": "ce_only,dice_only", "runs": 1}
    code, events = worker(*compare_args(landcover_crop, landcover["strata"], tmp_path, **options))
    assert code == 2 and events[-1]["event"] == "error", events[-3:]
    assert events[-1]["message"].startswith("Every configuration diverged, so there is nothing to compare:")
    warnings = [e["message"] for e in events if e.get("level") == "warning" and "diverged (seed" in e["message"]]
    assert len(warnings) == 2
    assert not (tmp_path / "results.json").exists()


def test_a_bad_configuration_is_refused_before_any_training(landcover_crop, landcover, tmp_path):
    config = comparison(landcover_crop, landcover, tmp_path)
    config.configurations.append(LossConfiguration("typo", "combo", {"dice_wieght": 1.0}))
    with pytest.raises(UserError, match="typo"):
        compare(config, EventWriter(io.StringIO()), StopRequest())
    assert not (tmp_path / "runs").exists()


def test_configurations_and_their_checks():
    binary = CompareConfig(TrainConfig(raster="r", labels="l", output_dir="o", mode="binary"))
    assert [c.name for c in binary.configurations] == list(LOSS_PRESETS)
    assert {c.loss for c in binary.configurations} == {"binary_combo"} and binary.baseline == "ce_only"
    named = configurations_from_names(["dice_only", "focal_tversky"], "multiclass")
    assert [(c.name, c.loss) for c in named] == [("dice_only", "combo"), ("focal_tversky", "focal_tversky")]
    for wrong in ("dice_dominnat", "binary_dual_focal"):  # a binary loss in multiclass mode: train refuses it too
        with pytest.raises(UserError, match=f"'{wrong}' is neither a study preset .* nor a multiclass loss"):
            configurations_from_names([wrong], "multiclass")
    train = TrainConfig(raster="r", labels="l", output_dir="o")
    with pytest.raises(UserError, match="more than once"):
        CompareConfig(train, configurations_from_names(["ce_only", "ce_only"], "multiclass"))
    with pytest.raises(UserError, match="Baseline"):
        CompareConfig(train, configurations_from_names(["dice_only"], "multiclass"), baseline="ce_only")
    with pytest.raises(UserError, match="folder name"):
        CompareConfig(train, [LossConfiguration("a/b", "combo")])
    assert CompareConfig(train, configurations_from_names(["dice_only"], "multiclass")).baseline == "dice_only"


def test_a_class_without_test_pixels_is_named_before_training():
    from types import SimpleNamespace

    from rasterio.windows import Window

    from segmentation_trainer.core.common.config import ClassInfo
    from segmentation_trainer.core.comparison.runner import _check_test_set
    from segmentation_trainer.core.data.tiling import Split

    test = [Window(128 * i, 0, 64, 64) for i in range(1, 6)]
    split = Split([Window(0, 0, 64, 64)], [], frozenset(), 128, test, frozenset((0, i) for i in range(1, 6)))
    counts = {"train": np.array([[5, 3, 0]]), "test": np.array([[4, 0, 0]] * 5)}
    data = SimpleNamespace(classes=[ClassInfo(1, "forest"), ClassInfo(2, "water"), ClassInfo(3, "ice")], split=split)
    stream = io.StringIO()
    _check_test_set(SimpleNamespace(**vars(data), tile_counts=counts), EventWriter(stream, as_json=True))
    named = [m for m in (json.loads(line)["message"] for line in stream.getvalue().splitlines()) if "test pixel" in m]
    assert len(named) == 1 and named[0].startswith("No test pixel for water: the verdict cannot compare")
