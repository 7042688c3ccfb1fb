"""The pictures of docs/: the real QGIS application with the plugin, driven as a user would.

Run by ``make screenshots`` (``qgis --code scripts/qgis_screenshots.py`` under xvfb-run, with a
profile of its own where the plugin is installed and enabled). It loads the land-cover sample,
opens the dock, fills the Data tab, trains for a few epochs, predicts the whole image (the
prediction layer is added to the map) and saves the main window with each tab of the dock as
``docs/dock_<tab>.png``. The environment gives ``SEGTRAINER_ROOT`` (the checkout).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from qgis.core import QgsApplication, QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.utils import iface, plugins

ROOT = Path(os.environ["SEGTRAINER_ROOT"])
DATA = ROOT / "data" / "landcover"
OUT = Path(os.environ.get("SEGTRAINER_SCREENSHOTS", ROOT / "docs"))
TIMEOUT_S = 1500
DOCK_WIDTH = 400
RENDER_S = 5
state: dict = {"started": time.monotonic()}


def open_dock() -> None:
    image = QgsRasterLayer(str(DATA / "landsat_multiband.tif"), "landsat_multiband")
    polygons = QgsVectorLayer(str(DATA / "landsat96_polygons.shp"), "training polygons", "ogr")
    QgsProject.instance().setCrs(image.crs())
    QgsProject.instance().addMapLayers([image, polygons])
    iface.setActiveLayer(image)
    iface.zoomToActiveLayer()
    plugins["segmentation_trainer"].action.trigger()
    dock = state["dock"] = plugins["segmentation_trainer"].dock
    iface.mainWindow().resizeDocks([dock], [DOCK_WIDTH], Qt.Horizontal)
    dock.rasterCombo.setLayer(image)
    dock.labelCombo.setLayer(polygons)
    dock.classFieldCombo.setField("label")
    dock.fillClassesButton.click()
    dock.encoderCombo.setCurrentText("resnet18")
    dock.tileSizeSpin.setValue(64)
    dock.epochsSpin.setValue(15)
    dock.learningRateSpin.setValue(0.001)
    dock.outputDirWidget.setFilePath(str(Path(tempfile.mkdtemp(prefix="segtrainer-shots-")) / "model"))
    dock.tabs.setCurrentWidget(dock.dataTab)
    wait(lambda: dock.check_task is None, train)


def train() -> None:
    dock = state["dock"]
    dock.trainButton.click()
    wait(lambda: dock.task is None, predict)


def predict() -> None:
    dock = state["dock"]
    dock.predictRasterCombo.setLayer(QgsProject.instance().mapLayersByName("landsat_multiband")[0])
    dock.predictConfidenceCheck.setChecked(True)
    dock.predictButton.click()
    wait(lambda: dock.task is None, draw_map)


def draw_map() -> None:
    """Redraw the map with the prediction layer, then take the pictures."""
    canvas = iface.mapCanvas()
    canvas.mapCanvasRefreshed.connect(lambda: QTimer.singleShot(RENDER_S * 1000, shoot))
    canvas.refreshAllLayers()


def shoot() -> None:
    dock = state["dock"]
    OUT.mkdir(parents=True, exist_ok=True)
    for index in range(dock.tabs.count()):
        dock.tabs.setCurrentIndex(index)
        name = dock.tabs.widget(index).objectName().removesuffix("Tab")
        QgsApplication.processEvents()
        iface.mainWindow().grab().save(str(OUT / f"dock_{name}.png"))
    os._exit(0)  # QGIS's own exit can abort in its style dock under Xvfb; everything is saved


def wait(done, then) -> None:
    """Call ``then`` once ``done()`` holds (polled, so that QGIS keeps running meanwhile)."""
    if time.monotonic() - state["started"] > TIMEOUT_S:
        os._exit(1)
    QTimer.singleShot(1000, then if done() else lambda: wait(done, then))


QTimer.singleShot(3000, open_dock)
