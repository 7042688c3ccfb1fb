"""Save a picture of the dock with the land-cover sample loaded: python scripts/screenshot_dock.py OUT.png

Runs real QGIS (offscreen, or on the X display given by DISPLAY, e.g. under xvfb-run).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer  # noqa: E402
from qgis_helpers import StubIface, start_qgis  # noqa: E402


def main(output: str) -> None:
    app = start_qgis()
    from segmentation_trainer.ui.dock import TrainerDock

    data = ROOT / "data" / "landcover"
    image = QgsRasterLayer(str(data / "landsat_multiband.tif"), "landsat_multiband")
    polygons = QgsVectorLayer(str(data / "landsat96_polygons.shp"), "landsat96_polygons", "ogr")
    QgsProject.instance().addMapLayers([image, polygons])
    dock = TrainerDock(StubIface())
    dock.rasterCombo.setLayer(image)
    dock.labelCombo.setLayer(polygons)
    dock.classFieldCombo.setField("label")
    dock.resize(420, 720)
    dock.show()
    app.processEvents()
    dock.grab().save(output)


if __name__ == "__main__":
    main(sys.argv[1])
