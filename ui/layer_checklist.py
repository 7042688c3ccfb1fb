"""A checkable list of the project's raster layers beside a layer combo box: the "More rasters" of the Data and
Predict tabs (several scenes or orthophoto tiles in one run)."""

from __future__ import annotations

from qgis.core import QgsMapLayer, QgsProject, QgsRasterLayer
from qgis.gui import QgsCheckableComboBox, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QObject, Qt


class RasterChecklist(QObject):
    """``combo`` lists the project's raster layers other than ``main``'s; the checked ones are kept (by layer id)
    while layers come and go and ``main`` changes. A child of ``combo``: its connections end with it."""

    def __init__(self, combo: QgsCheckableComboBox, main: QgsMapLayerComboBox) -> None:
        super().__init__(combo)
        self.combo, self.main = combo, main
        project = QgsProject.instance()
        for signal in (project.layersAdded, project.layersRemoved, main.layerChanged):
            signal.connect(self.refresh)
        self.refresh()

    def refresh(self, *_changed: object) -> None:
        """List the raster layers again, keeping the checked ones that remain."""
        checked, main = set(self.layer_ids()), self.main.currentLayer()
        self.combo.blockSignals(True)
        self.combo.clear()
        for layer in QgsProject.instance().mapLayers().values():
            if isinstance(layer, QgsRasterLayer) and layer is not main:
                self.combo.addItemWithCheckState(
                    layer.name(), Qt.Checked if layer.id() in checked else Qt.Unchecked, layer.id()
                )
        self.combo.blockSignals(False)

    def layer_ids(self) -> list[str]:
        return [str(i) for i in self.combo.checkedItemsData()]

    def set_layer_ids(self, ids: list[str]) -> None:
        self.combo.setCheckedItems([])
        for index in range(self.combo.count()):
            if self.combo.itemData(index) in ids:
                self.combo.setItemCheckState(index, Qt.Checked)

    def layers(self) -> list[QgsMapLayer]:
        """The checked layers, in the list's order."""
        project = QgsProject.instance()
        return [layer for i in self.layer_ids() if (layer := project.mapLayer(i)) is not None]
