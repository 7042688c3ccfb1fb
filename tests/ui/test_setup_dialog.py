"""Worker set-up: the plan of commands, the dialog running them, and the check of a Python."""

from __future__ import annotations

import re
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from qgis.core import QgsSettings
from qgis.PyQt import sip
from qgis_helpers import wait_until

from segmentation_trainer.tasks.worker_env import SETTINGS_KEY
from segmentation_trainer.tasks.worker_setup import CPU_INDEX, REQUIREMENTS, pinned, setup_steps
from segmentation_trainer.ui.setup_dialog import SetupDialog

SYSTEM_PYTHON = sys.executable  # any Python creates the environment; this one is there on every machine


def test_pinned_reads_the_requirement_lines_of_the_names(tmp_path):
    requirements = tmp_path / "worker.txt"
    requirements.write_text("# a comment\ntorch==9.1.0  # the build\ntorchvision==0.9\nnumpy==1.0\nTorchAudio>=1\n")
    assert pinned(requirements, ("torch", "torchvision", "torchaudio")) == [
        "torch==9.1.0",
        "torchvision==0.9",
        "TorchAudio>=1",
    ]


def test_the_plan_installs_the_pinned_requirements_with_the_right_torch_build(tmp_path):
    env = tmp_path / "env"
    cpu = setup_steps(env, gpu=False, python=SYSTEM_PYTHON)
    assert cpu[0].command == [SYSTEM_PYTHON, "-m", "venv", str(env)]
    torch = cpu[2].command
    assert torch[0] == str(env / "bin" / "python") and torch[1:4] == ["-m", "pip", "install"]
    pins = pinned(REQUIREMENTS, ("torch", "torchvision"))
    assert sorted(pin.split("==")[0] for pin in pins) == ["torch", "torchvision"]
    assert set(pins) <= set(torch) and torch[-2:] == ["--index-url", CPU_INDEX]
    assert cpu[3].command[-2:] == ["-r", str(REQUIREMENTS)]
    gpu = setup_steps(env, gpu=True, python=SYSTEM_PYTHON)
    assert "--index-url" not in gpu[2].command  # on Linux, PyPI's torch wheels are the CUDA build
    assert "CUDA" in gpu[2].title and "CPU" in cpu[2].title


@pytest.fixture
def dialog(qgis_app):
    settings = QgsSettings()
    previous = settings.value(SETTINGS_KEY, "")
    widget = SetupDialog()
    yield widget
    wait_until(lambda: widget.check_task is None, 120, "the check to end")
    settings.setValue(SETTINGS_KEY, previous)
    sip.delete(widget)


def test_creating_an_environment_streams_the_output_and_checks_it(dialog, tmp_path):
    """The real first step (a venv); the check then finds no PyTorch in it and says so."""
    env = tmp_path / "env"
    dialog.envDirWidget.setFilePath(str(env))
    dialog.create_environment(setup_steps(env, gpu=False, python=SYSTEM_PYTHON)[:1])
    wait_until(lambda: "lacks" in dialog.checkLabel.text() or "failed" in dialog.checkLabel.text(), 180, "the check")
    assert (env / "bin" / "python").exists()
    log = dialog.setupLog.toPlainText()
    assert "Step 1/1: Creating the virtual environment" in log and f"$ {SYSTEM_PYTHON} -m venv {env}" in log
    assert dialog.setupProgress.value() == 100
    assert "lacks torch" in dialog.checkLabel.text() and "Set up" in dialog.checkLabel.text()
    assert QgsSettings().value(SETTINGS_KEY, "") != str(env / "bin" / "python")  # not adopted


def test_a_failing_step_stops_with_a_message(dialog, tmp_path):
    env = tmp_path / "env"
    dialog.create_environment(setup_steps(env, gpu=False, python=SYSTEM_PYTHON)[1:2])  # pip of a missing venv
    wait_until(lambda: bool(dialog.checkLabel.text()), 60, "the failure")
    assert "Updating pip" in dialog.checkLabel.text() and dialog.createButton.isEnabled()


def test_an_existing_python_is_checked_and_adopted(dialog):
    checked = []
    dialog.environment_checked.connect(checked.append)
    dialog.pythonWidget.setFilePath(sys.executable)
    dialog.useButton.click()
    wait_until(lambda: bool(checked) or "PyTorch" in dialog.checkLabel.text(), 120, "the check")
    torch_version = version("torch")  # this Python's PyTorch, whatever the machine's (no local tag: +cu130)
    assert checked and checked[0]["versions"]["torch"].startswith(torch_version)
    assert dialog.checkLabel.text().startswith(f"PyTorch {torch_version}")
    assert re.fullmatch(r"cpu|cuda(:\d+)?|mps", checked[0]["device"]), checked[0]["device"]
    assert Path(QgsSettings().value(SETTINGS_KEY, "")) == Path(checked[0]["python"])


def test_the_weights_cache_is_shown_and_cleared(dialog, monkeypatch, tmp_path):
    cache = tmp_path / "weights"
    monkeypatch.setattr("segmentation_trainer.ui.setup_dialog.weights_cache", lambda: cache)
    (cache / "models--smp-hub--resnet18.imagenet" / "blobs").mkdir(parents=True)
    (cache / "models--smp-hub--resnet18.imagenet" / "blobs" / "abc").write_bytes(b"0" * 3_000_000)
    dialog.show_weights_cache()
    assert str(cache) in dialog.weightsCacheLabel.text() and "(3 MB)" in dialog.weightsCacheLabel.text()
    dialog.clearCacheButton.click()
    assert not cache.exists() and "(0 MB)" in dialog.weightsCacheLabel.text()
    assert not dialog.clearCacheButton.isEnabled()
