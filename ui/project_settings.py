"""The dock's settings stored in the QGIS project (saved with it, restored when it is opened)."""

from __future__ import annotations

import json
from typing import Any

from qgis.core import QgsProject

SCOPE = "segmentation_trainer"
KEY = "dock"


def save_settings(project: QgsProject, settings: dict[str, Any]) -> None:
    project.writeEntry(SCOPE, KEY, json.dumps(settings))


def load_settings(project: QgsProject) -> dict[str, Any]:
    """The saved settings, or an empty dict when the project has none (or they are unreadable)."""
    text, found = project.readEntry(SCOPE, KEY, "")
    if not found or not text:
        return {}
    try:
        settings = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return settings if isinstance(settings, dict) else {}
