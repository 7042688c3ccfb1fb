"""The worker set-up dialog: create the worker's environment, or choose an existing Python."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from qgis.core import QgsApplication, QgsSettings
from qgis.gui import QgsFileWidget
from qgis.PyQt import uic
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox

from ..tasks.worker import WorkerTask
from ..tasks.worker_env import SETTINGS_KEY, weights_cache
from ..tasks.worker_setup import SetupRunner, Step, default_env_dir, env_python, has_nvidia_gpu, setup_steps

FORM_CLASS, _ = uic.loadUiType(str(Path(__file__).with_name("setup_dialog.ui")))


class SetupDialog(QDialog, FORM_CLASS):
    """Runs the set-up steps with live output, then checks the environment with the worker itself."""

    environment_checked = pyqtSignal(dict)  # the check's result (python, versions, device)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setupUi(self)
        self.runner: SetupRunner | None = None
        self.check_task: WorkerTask | None = None
        self.gpu = has_nvidia_gpu()
        self.envDirWidget.setStorageMode(QgsFileWidget.GetDirectory)
        self.envDirWidget.setFilePath(str(default_env_dir()))
        self.gpuLabel.setText(
            self.tr("An NVIDIA GPU was found: PyTorch's CUDA build will be installed.")
            if self.gpu
            else self.tr("No NVIDIA GPU was found (nvidia-smi): PyTorch's CPU build will be installed.")
        )
        self.createButton.clicked.connect(self.create_environment)
        self.useButton.clicked.connect(lambda: self.check(self.pythonWidget.filePath()))
        self.buttonBox.button(QDialogButtonBox.Close).clicked.connect(self.close)
        self.clearCacheButton.clicked.connect(self.clear_weights_cache)
        self.show_weights_cache()

    def show_weights_cache(self) -> None:
        """The folder of downloaded encoder weights and its size."""
        folder = weights_cache()
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
        self.weightsCacheLabel.setText(
            self.tr("Downloaded encoder weights: {0} ({1:.0f} MB)").format(folder, size / 1e6)
        )
        self.clearCacheButton.setEnabled(size > 0)

    def clear_weights_cache(self) -> None:
        shutil.rmtree(weights_cache(), ignore_errors=True)
        self.show_weights_cache()

    def create_environment(self, steps: list[Step] | None = None) -> None:
        """Run ``steps`` (default: ``setup_steps`` for the chosen folder), then check the result."""
        env_dir = Path(self.envDirWidget.filePath())
        self.runner = SetupRunner(steps or setup_steps(env_dir, self.gpu), self)
        self.runner.step_started.connect(self._on_step)
        self.runner.output.connect(self.setupLog.appendPlainText)
        self.runner.done.connect(lambda ok, message: self._on_done(ok, message, env_python(env_dir)))
        self.createButton.setEnabled(False)
        self.setupLog.clear()
        self.runner.start()

    def _on_step(self, index: int, count: int, title: str) -> None:
        self.setupProgress.setValue(int(100 * (index - 1) / count))
        self.setupLog.appendPlainText(self.tr("Step {0}/{1}: {2}").format(index, count, title))

    def _on_done(self, ok: bool, message: str, python: Path) -> None:
        self.createButton.setEnabled(True)
        if not ok:
            self.setupLog.appendPlainText(message)
            self.checkLabel.setText(message)
            return
        self.setupProgress.setValue(100)
        self.check(str(python))

    def check(self, python: str) -> None:
        """Ask the worker with ``python`` what it has; on success it becomes the worker's Python."""
        if not python:
            self.checkLabel.setText(self.tr("Choose a Python executable first."))
            return
        self.checkLabel.setText(self.tr("Checking {0}…").format(python))
        self.check_task = WorkerTask(
            self.tr("Segmentation Trainer: checking the worker"), ["check"], self._checked, python
        )
        QgsApplication.taskManager().addTask(self.check_task)

    def _checked(self, task: WorkerTask) -> None:
        self.check_task = None
        result: dict[str, Any] | None = task.result_event
        if result is None:
            self.checkLabel.setText(task.error_message or self.tr("The check did not complete."))
            return
        QgsSettings().setValue(SETTINGS_KEY, result["python"])
        self.checkLabel.setText(describe_environment(result))
        self.environment_checked.emit(result)


def describe_environment(result: dict[str, Any]) -> str:
    """One line for the dock's status: PyTorch version and device."""
    device = result["gpu"] or result["device"]
    return f"PyTorch {result['versions']['torch']} · {device} · {result['python']}"
