"""WorkerTask failure modes: a worker that crashes, cannot start, or reports bad input."""

from __future__ import annotations

import stat
import sys

import pytest
from qgis.core import QgsApplication
from qgis_helpers import wait_until
from worker_helpers import train_args, worker_args

from segmentation_trainer.tasks.worker import WorkerTask


def run_task(args: list[str], python: str | None = None) -> dict:
    """Run a WorkerTask through the task manager; what ``finished()`` saw."""
    seen: dict = {}

    def on_finished(task: WorkerTask) -> None:
        seen.update(
            error=task.error_message, result=task.result_event, exit_code=task.exit_code, cancelled=task.cancelled_event
        )

    task = WorkerTask("test", args, on_finished, python=python)
    events = []
    task.event_received.connect(events.append)
    QgsApplication.taskManager().addTask(task)
    wait_until(lambda: bool(seen), 300, "the task to finish")
    assert not task.stop_file.parent.exists()  # the task's temporary folder is cleaned up, whatever the end
    seen["events"] = events
    return seen


@pytest.fixture
def crashing_python(tmp_path):
    """A 'python' that prints a traceback-like line and dies, as a worker crashing in CUDA would."""
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\necho 'loading model'\necho 'Segmentation fault (core dumped)' >&2\nexit 139\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_a_crashing_worker_is_reported_with_its_last_output(qgis_app, crashing_python):
    seen = run_task(["train"], python=crashing_python)
    assert seen["exit_code"] == 139 and seen["result"] is None
    assert "stopped unexpectedly (exit code 139)" in seen["error"]
    assert "Segmentation fault" in seen["error"]


def test_a_missing_worker_python_is_reported(qgis_app, tmp_path):
    seen = run_task(["train"], python=str(tmp_path / "no-such-python"))
    assert "Cannot start the worker" in seen["error"] and "no-such-python" in seen["error"]


def test_bad_input_reaches_the_user_as_the_workers_message(qgis_app, landcover, tmp_path):
    seen = run_task(train_args(landcover["image"], landcover["polygons"], tmp_path / "m"), python=sys.executable)
    assert seen["exit_code"] == 2
    assert seen["error"].startswith("Multiclass training needs a class field on the label layer")
    assert "Traceback" not in seen["error"]


def test_results_arrive_as_events(qgis_app, landcover, tmp_path):
    output = tmp_path / "labels.tif"
    args = worker_args(
        "rasterize", raster=landcover["image"], labels=landcover["polygons"], class_field="id", output=output
    )
    seen = run_task(args, python=sys.executable)
    assert seen["error"] is None and seen["exit_code"] == 0
    assert seen["result"]["labels"] == str(output) and output.is_file()
    assert sum(seen["result"]["pixels_per_class"].values()) > 2000


def test_a_prediction_is_added_with_its_confidence_layer_in_a_group(qgis_app, landcover, small_model, tmp_path):
    from qgis.core import QgsPalettedRasterRenderer, QgsProject

    from segmentation_trainer.tasks.layers import add_prediction

    args = worker_args(
        "predict",
        model=small_model,
        raster=landcover["image"],
        output=tmp_path / "pred.tif",
        confidence=True,
        vectorize=True,
    )
    seen = run_task(args, python=sys.executable)
    assert seen["error"] is None
    (result,) = seen["result"]["predictions"]
    assert result["confidence"].endswith("pred_confidence.tif")
    QgsProject.instance().clear()
    layer = add_prediction(result, "pred")
    group = QgsProject.instance().layerTreeRoot().findGroup("pred")
    names = [child.layer().name() for child in group.findLayers()]
    assert names == ["pred", "pred polygons", "pred confidence"]
    assert not any(node.isVisible() for node in group.findLayers()[1:])  # extras added unchecked
    assert group.findLayers()[1].layer().featureCount() > 0
    assert isinstance(layer.renderer(), QgsPalettedRasterRenderer)
    QgsProject.instance().clear()
