"""Creating the worker's environment from QGIS: a virtual environment with the pinned requirements.

``setup_steps`` plans the commands (venv, pip, PyTorch's CUDA build when ``nvidia-smi`` finds a
GPU, else its CPU build, then the other requirements); ``SetupRunner`` runs them one after the
other with QProcess, streaming their output, without blocking QGIS.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, QObject, QProcess, pyqtSignal

from .worker_env import PLUGIN_DIR

REQUIREMENTS = PLUGIN_DIR / "requirements" / "worker.txt"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CUDA_INDEX_WINDOWS = "https://download.pytorch.org/whl/cu130"  # PyPI's Linux wheels already carry CUDA
TORCH_PACKAGES = ("torch", "torchvision")


@dataclass(frozen=True)
class Step:
    title: str
    command: list[str]


def default_env_dir() -> Path:
    """The worker's virtual environment under the QGIS profile."""
    return Path(QgsApplication.qgisSettingsDirPath()) / "segmentation_trainer" / "venv"


def env_python(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def base_python() -> str:
    """A Python to create the environment with: QGIS's own where it ships one, else python3."""
    candidates = [
        Path(sys.base_exec_prefix) / "python.exe",  # Windows installs of QGIS
        Path(sys.base_exec_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}",
    ]
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    return shutil.which("python3") or "python3"


def has_nvidia_gpu() -> bool:
    """True when ``nvidia-smi -L`` lists a GPU."""
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and "GPU" in out.stdout


def pinned(requirements: Path, names: tuple[str, ...]) -> list[str]:
    """The ``name==version`` lines of ``requirements`` for ``names``."""
    lines = [line.split("#")[0].strip() for line in requirements.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if re.split(r"[=<>!~ ]", line)[0].lower() in names]


def setup_steps(env_dir: Path, gpu: bool, python: str | None = None, requirements: Path = REQUIREMENTS) -> list[Step]:
    """The commands that create the environment and install the worker's pinned requirements."""
    py = str(env_python(env_dir))
    torch_source = []
    if not gpu:
        torch_source = ["--index-url", CPU_INDEX]
    elif sys.platform == "win32":
        torch_source = ["--index-url", CUDA_INDEX_WINDOWS]
    pip = [py, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off"]
    return [
        Step(
            QCoreApplication.translate("SetupRunner", "Creating the virtual environment"),
            [python or base_python(), "-m", "venv", str(env_dir)],
        ),
        Step(QCoreApplication.translate("SetupRunner", "Updating pip"), [*pip, "--upgrade", "pip"]),
        Step(
            QCoreApplication.translate("SetupRunner", "Installing PyTorch ({0} build)").format(
                "CUDA" if gpu else "CPU"
            ),
            [*pip, *pinned(requirements, TORCH_PACKAGES), *torch_source],
        ),
        Step(
            QCoreApplication.translate("SetupRunner", "Installing the other requirements"),
            [*pip, "-r", str(requirements)],
        ),
    ]


class SetupRunner(QObject):
    """Runs steps one after the other; ``output`` streams their lines, ``done`` says how it ended."""

    step_started = pyqtSignal(int, int, str)  # index (from 1), count, title
    output = pyqtSignal(str)
    done = pyqtSignal(bool, str)  # success, message

    def __init__(self, steps: list[Step], parent=None) -> None:
        super().__init__(parent)
        self.steps = steps
        self.index = -1
        self.process: QProcess | None = None
        self.cancelled = False

    def start(self) -> None:
        self._next()

    def cancel(self) -> None:
        self.cancelled = True
        if self.process is not None and self.process.state() != QProcess.NotRunning:
            self.process.kill()

    def _next(self) -> None:
        self.index += 1
        if self.index == len(self.steps):
            self.done.emit(True, "")
            return
        step = self.steps[self.index]
        self.step_started.emit(self.index + 1, len(self.steps), step.title)
        self.output.emit("$ " + " ".join(step.command))
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._error)
        self.process.start(step.command[0], step.command[1:])

    def _read(self) -> None:
        text = bytes(self.process.readAllStandardOutput()).decode("utf-8", "replace")
        for line in text.splitlines():
            if line.strip():
                self.output.emit(line)

    def _error(self, error) -> None:
        if error == QProcess.FailedToStart:
            step = self.steps[self.index]
            self.done.emit(False, self.tr("{0}: cannot start {1}.").format(step.title, step.command[0]))

    def _finished(self, code: int, _status) -> None:
        self._read()
        if self.cancelled:
            self.done.emit(False, self.tr("Cancelled."))
        elif code != 0:
            self.done.emit(False, self.tr("{0} failed (exit code {1}).").format(self.steps[self.index].title, code))
        else:
            self._next()
