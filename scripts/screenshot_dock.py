"""Pictures of every tab of the dock with the land-cover sample: python scripts/screenshot_dock.py OUT_DIR

Runs real QGIS (offscreen, or on the X display given by DISPLAY, e.g. under xvfb-run): loads the
sample layers, fills the class table, checks the data, trains for three epochs (so that the Run tab
shows real curves), then saves ``dock_<tab>.png`` for each tab.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer  # noqa: E402
from qgis_helpers import StubIface, start_qgis, wait_until  # noqa: E402

TIMEOUT = 1800


def main(out_dir: str) -> None:
    app = start_qgis()
    from segmentation_trainer.ui.dock import TrainerDock

    data = ROOT / "data" / "landcover"
    image = QgsRasterLayer(str(data / "landsat_multiband.tif"), "landsat_multiband")
    polygons = QgsVectorLayer(str(data / "landsat96_polygons.shp"), "landsat96_polygons", "ogr")
    QgsProject.instance().addMapLayers([image, polygons])
    dock = TrainerDock(StubIface())
    dock.resize(440, 760)
    dock.show()
    dock.rasterCombo.setLayer(image)
    dock.labelCombo.setLayer(polygons)
    dock.classFieldCombo.setField("label")
    dock.fillClassesButton.click()
    dock.encoderCombo.setCurrentText("resnet18")
    dock.tileSizeSpin.setValue(64)
    dock.epochsSpin.setValue(3)
    dock.lossCombo.setCurrentIndex(dock.lossCombo.findData("combo"))
    dock.outputDirWidget.setFilePath(str(Path(tempfile.mkdtemp()) / "model"))
    wait_until(lambda: dock.check_task is None, TIMEOUT, "the worker check")
    dock.checkDataButton.click()
    wait_until(lambda: dock.task is None, TIMEOUT, "the data check")
    dock.trainButton.click()
    wait_until(lambda: dock.task is None, TIMEOUT, "training")
    dock.predictRasterCombo.setLayer(image)
    dock.vectorizeCheck.setChecked(True)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for index in range(dock.tabs.count()):
        dock.tabs.setCurrentIndex(index)
        app.processEvents()
        name = dock.tabs.widget(index).objectName().removesuffix("Tab")
        dock.grab().save(str(out / f"dock_{name}.png"))


if __name__ == "__main__":
    main(sys.argv[1])
