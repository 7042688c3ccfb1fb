"""The plugin loads in QGIS through classFactory, and the QGIS side never imports torch or rasterio."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from qgis_helpers import wait_until

import segmentation_trainer

TESTS = Path(__file__).parent


def test_plugin_loads_and_toggles_its_dock(iface):
    plugin = segmentation_trainer.classFactory(iface)
    plugin.initGui()
    assert plugin.action in iface.toolbar.actions()
    assert [a.text() for actions in iface.menus.values() for a in actions] == ["Segmentation Trainer"]
    plugin.action.trigger()
    assert len(iface.docks) == 1 and plugin.dock.isVisible()
    assert plugin.dock.lossCombo.currentData() == "dice_ce"
    plugin.action.trigger()
    assert not plugin.dock.isVisible()
    ended = []
    check = plugin.dock.check_task  # the worker check the dock started, still running or ending
    if check is not None:
        check.taskCompleted.connect(lambda: ended.append("completed"))
        check.taskTerminated.connect(lambda: ended.append("terminated"))
    plugin.unload()
    assert iface.docks == [] and plugin.action is None
    assert iface.toolbar.actions() == []
    if check is not None:  # unloading stopped it; its end no longer calls the deleted dock
        wait_until(lambda: ended, 120, "the worker check to end")


QGIS_SIDE_SCRIPT = """
import json, sys
sys.path.insert(0, {tests!r})
from qgis_helpers import StubIface, start_qgis
app = start_qgis()
import segmentation_trainer
plugin = segmentation_trainer.classFactory(StubIface())
plugin.initGui()
plugin.action.trigger()
from segmentation_trainer.tasks.worker import WorkerTask
from segmentation_trainer.tasks import layers
WorkerTask("probe", ["--help"])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})))
"""


def test_qgis_side_never_imports_torch_or_rasterio():
    heavy = ["torch", "rasterio", "fiona", "segmentation_models_pytorch", "numpy_torch", "safetensors"]
    script = QGIS_SIDE_SCRIPT.format(tests=str(TESTS), heavy=heavy)
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == []
