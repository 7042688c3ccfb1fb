"""Where the worker's Python is and how to start ``python -m segmentation_trainer`` with it."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from qgis.core import QgsApplication, QgsSettings

from ..core.common.files import WEIGHTS_CACHE_VARIABLE

PACKAGE = "segmentation_trainer"
PLUGIN_DIR = Path(__file__).resolve().parent.parent
SETTINGS_KEY = "segmentation_trainer/worker_python"
ENV_VAR = "SEGMENTATION_TRAINER_PYTHON"


def worker_python() -> str:
    """The Python that runs the worker, first found of: the plugin setting, the
    ``SEGMENTATION_TRAINER_PYTHON`` environment variable, a ``.venv`` in the plugin folder
    (a development checkout after ``make setup``), ``python3`` on the PATH."""
    candidates = [
        QgsSettings().value(SETTINGS_KEY, "", type=str),
        os.environ.get(ENV_VAR, ""),
        str(PLUGIN_DIR / ".venv" / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")),
        shutil.which("python3") or "",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    return "python3"


def _package_parent() -> str:
    """A folder holding the package under its import name, whatever the plugin folder is called.

    For a plugin folder named otherwise (a development checkout), a link in a temporary folder
    unique to that plugin folder, so that two checkouts never import each other's code.
    """
    if PLUGIN_DIR.name == PACKAGE:
        return str(PLUGIN_DIR.parent)
    digest = hashlib.sha1(str(PLUGIN_DIR).encode("utf-8")).hexdigest()[:12]
    parent = Path(tempfile.gettempdir()) / f"{PACKAGE}-{digest}"
    link = parent / PACKAGE
    if not link.exists():
        parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(PLUGIN_DIR, target_is_directory=True)
    return str(parent)


def worker_command(args: list[str], python: str | None = None) -> list[str]:
    return [python or worker_python(), "-m", PACKAGE, *args]


def weights_cache() -> Path:
    """Where the worker keeps downloaded encoder weights: a folder of the QGIS profile (the set-up
    dialog shows it and can clear it)."""
    return Path(QgsApplication.qgisSettingsDirPath()) / PACKAGE / "weights"


def worker_environment() -> dict[str, str]:
    """The worker's environment: QGIS's, minus what would make another Python misbehave, plus the
    weights cache (``SEGMENTATION_TRAINER_WEIGHTS``, unless already set)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONSTARTUP")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_package_parent(), env.get("PYTHONPATH", "")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault(WEIGHTS_CACHE_VARIABLE, str(weights_cache()))
    return env
