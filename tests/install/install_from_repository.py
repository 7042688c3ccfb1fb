"""Run inside the real QGIS (``qgis --code``) by tests/test_install.py: QGIS's own plugin installer installs
Segmentation Trainer from the repository at ``$REPOSITORY`` into this fresh profile, then the plugin's action
opens its dock. What happened goes to ``$INSTALL_RESULT`` as JSON, and QGIS exits."""

from __future__ import annotations

import json
import os
import traceback
from pathlib import Path

import pyplugin_installer
import qgis.utils
from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication, QDialog, QLabel

PLUGIN = "segmentation_trainer"
WATCHDOG_S = 120
OFFICIAL = ("QGIS Official Plugin Repository", "https://plugins.qgis.org/plugins/plugins.xml")


def use_only(repository: str) -> None:
    """The test repository alone (the official one is kept, disabled: nothing leaves the machine)."""
    settings = QgsSettings()
    settings.setValue(f"app/plugin_repositories/{OFFICIAL[0]}/url", OFFICIAL[1])
    settings.setValue(f"app/plugin_repositories/{OFFICIAL[0]}/enabled", False)
    settings.setValue("app/plugin_repositories/test/url", repository)
    settings.setValue("app/plugin_installer/allowExperimental", True)


def install_and_open() -> dict:
    use_only(os.environ["REPOSITORY"])
    installer = pyplugin_installer.instance()
    installer.fetchAvailablePlugins(reloadMode=True)
    from pyplugin_installer.installer_data import plugins as listed

    found = listed.all().get(PLUGIN)
    result = {"listed": found is not None, "version": found and found.get("version_available_experimental")}
    installer.installPlugin(PLUGIN, quiet=True, stable=False)
    folder = Path(qgis.utils.home_plugin_path) / PLUGIN
    plugin = qgis.utils.plugins.get(PLUGIN)
    result |= {"installed_in": str(folder), "installed": (folder / "metadata.txt").is_file()}
    result["started"] = plugin is not None and PLUGIN in qgis.utils.active_plugins
    if plugin is not None:
        plugin.action.trigger()
        result["dock_visible"] = plugin.dock is not None and plugin.dock.isVisible()
        result["dock_tabs"] = [plugin.dock.tabs.tabText(i) for i in range(plugin.dock.tabs.count())]
    return result


def finish(result: dict) -> None:
    Path(os.environ["INSTALL_RESULT"]).write_text(json.dumps(result), encoding="utf-8")
    os._exit(0)  # QGIS may abort while tearing down under Xvfb; the result is written


def run() -> None:
    try:
        result = install_and_open()
    except Exception:  # the test reports it
        result = {"error": traceback.format_exc()}
    finish(result)


def stuck() -> None:
    """Still running after ``WATCHDOG_S``: a dialog waits for an answer; say which, with its texts."""
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
    texts = [f"{d.windowTitle()}: {' | '.join(label.text() for label in d.findChildren(QLabel))}" for d in dialogs]
    finish({"error": f"Stuck after {WATCHDOG_S} s; open dialogs: {texts}"})


QTimer.singleShot(0, run)
QTimer.singleShot(WATCHDOG_S * 1000, stuck)
