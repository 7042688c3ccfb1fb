"""Layers in and out of the worker, on the main thread: file paths of project layers, styled results, sample points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapLayer,
    QgsPalettedRasterRenderer,
    QgsProject,
    QgsProviderRegistry,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QColor

from ..core.common.colors import class_color
from ..core.common.errors import UserError

FILE_PROVIDERS = ("gdal", "ogr")


def layer_file(layer: QgsMapLayer) -> tuple[str, str | None]:
    """The file behind ``layer`` and, for multi-layer files (GeoPackage), the layer name in it.

    Layers that are not backed by a local file (databases, web services, memory layers) are
    refused with a message saying what to do.
    """
    decoded = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
    path = decoded.get("path", "")
    if layer.providerType() not in FILE_PROVIDERS or not path or not Path(path).is_file():
        message = QCoreApplication.translate("layers", "The layer '{0}' is not a local file ({1} layer): save it to a GeoTIFF or GeoPackage first (right-click > Export > Save As) and use the saved layer.")  # noqa: E501  # fmt: skip
        raise UserError(message.format(layer.name(), layer.providerType()))
    return path, decoded.get("layerName") or None


def extent_in_crs(
    extent: QgsRectangle, source_crs: QgsCoordinateReferenceSystem, target_crs: QgsCoordinateReferenceSystem
) -> tuple[float, float, float, float]:
    """``extent`` transformed to ``target_crs`` as xmin, ymin, xmax, ymax."""
    if source_crs != target_crs:
        extent = QgsCoordinateTransform(source_crs, target_crs, QgsProject.instance()).transformBoundingBox(extent)
    return extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()


def _raster_layer(path: str, name: str) -> QgsRasterLayer:
    layer = QgsRasterLayer(path, name, "gdal")
    if not layer.isValid():
        message = QCoreApplication.translate("layers", "The prediction {0} could not be opened as a raster layer.")
        raise UserError(message.format(path))
    return layer


def add_prediction(result: dict[str, Any], name: str) -> QgsRasterLayer:
    """Add a prediction to the project: its class raster with a paletted renderer (class names and
    colours) and, when they were written, its class polygons, confidence raster and uncertainty rasters
    (styled by the worker's .qml beside each: a colour ramp from 0 to 1, bright where unsure), unchecked, together
    in a group ``name``."""
    layer = _raster_layer(result["prediction"], name)
    palette = [
        QgsPalettedRasterRenderer.Class(c["value"], QColor(c.get("color") or class_color(i)), c["name"])
        for i, c in enumerate(result["classes"])
    ]
    layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), 1, palette))
    project = QgsProject.instance()
    group = project.layerTreeRoot().insertGroup(0, name)
    project.addMapLayer(layer, False)
    group.addLayer(layer)
    if result.get("polygons"):
        polygons = QgsVectorLayer(f"{result['polygons']}|layername=classes", f"{name} polygons", "ogr")
        if polygons.isValid():
            project.addMapLayer(polygons, False)
            group.addLayer(polygons).setItemVisibilityChecked(False)
    companions = {
        "confidence": QCoreApplication.translate("layers", "{0} confidence"),
        "entropy": QCoreApplication.translate("layers", "{0} entropy"),
        "margin": QCoreApplication.translate("layers", "{0} margin"),
    }
    for key, label in companions.items():
        if result.get(key):
            companion = _raster_layer(result[key], label.format(name))
            project.addMapLayer(companion, False)
            group.addLayer(companion).setItemVisibilityChecked(False)
    return layer


def add_sample_points(path: str, name: str) -> QgsVectorLayer:
    """Add the sample points written by the worker to the project, on top, for the user to label."""
    layer = QgsVectorLayer(path, name, "ogr")
    if not layer.isValid():
        message = QCoreApplication.translate("layers", "The sample points {0} could not be opened as a vector layer.")
        raise UserError(message.format(path))
    project = QgsProject.instance()
    project.addMapLayer(layer, False)
    project.layerTreeRoot().insertLayer(0, layer)
    return layer


def export_polygons(layer: QgsVectorLayer, selected_only: bool, path: Path) -> str:
    """Copy ``layer``'s features (or its selected ones) to a GeoPackage for the worker, on the main
    thread: works for any provider (memory, database, web) and freezes the selection."""
    if selected_only and layer.selectedFeatureCount() == 0:
        message = QCoreApplication.translate("layers", "No feature of '{0}' is selected: select the polygons to predict in, or untick 'Selected features only'.")  # noqa: E501  # fmt: skip
        raise UserError(message.format(layer.name()))
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.onlySelectedFeatures = selected_only
    path.parent.mkdir(parents=True, exist_ok=True)
    result = QgsVectorFileWriter.writeAsVectorFormatV3(
        layer, str(path), QgsProject.instance().transformContext(), options
    )
    if result[0] != QgsVectorFileWriter.NoError:
        raise UserError(
            QCoreApplication.translate("layers", "Cannot copy the polygons of '{0}': {1}").format(
                layer.name(), result[1]
            )
        )
    return str(path)
