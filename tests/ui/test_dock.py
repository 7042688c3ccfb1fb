"""The dock in real QGIS (offscreen): layer combos, loss auto-conversion, train, predict, cancel."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from osgeo import gdal
from qgis.core import QgsPalettedRasterRenderer, QgsProject, QgsRasterLayer, QgsTask, QgsVectorLayer
from qgis_helpers import wait_until

from segmentation_trainer.losses import available_losses
from segmentation_trainer.ui.dock import TrainerDock

TASK_TIMEOUT = 300


@pytest.fixture
def crop(landcover, tmp_path) -> Path:
    """192 x 192 pixels of the land-cover image (with its nodata border), cut by QGIS's GDAL."""
    path = tmp_path / "crop.tif"
    gdal.Translate(str(path), str(landcover["image"]), srcWin=[0, 0, 192, 192])
    return path


@pytest.fixture
def dock(iface):
    widget = TrainerDock(iface)
    yield widget
    if widget.task is not None:
        widget.cancel()
        wait_until(lambda: widget.task is None, TASK_TIMEOUT, "the task to stop")


def add_layers(landcover, crop=None):
    project = QgsProject.instance()
    image = QgsRasterLayer(str(crop or landcover["image"]), "image")
    polygons = QgsVectorLayer(str(landcover["polygons"]), "polygons", "ogr")
    strata = QgsRasterLayer(str(landcover["strata"]), "strata")
    for layer in (image, polygons, strata):
        assert layer.isValid()
        project.addMapLayer(layer)
    return image, polygons, strata


def test_combos_list_the_project_layers(dock, landcover):
    _, polygons, strata = add_layers(landcover)
    assert {dock.rasterCombo.layer(i).name() for i in range(dock.rasterCombo.count())} == {"image", "strata"}
    assert {dock.labelCombo.layer(i).name() for i in range(dock.labelCombo.count())} == {"image", "polygons", "strata"}
    dock.labelCombo.setLayer(polygons)
    assert dock.classFieldCombo.isEnabled()
    assert [dock.classFieldCombo.itemText(i) for i in range(dock.classFieldCombo.count())] == ["", "label", "id"]
    dock.labelCombo.setLayer(strata)
    assert not dock.classFieldCombo.isEnabled()


@pytest.mark.parametrize(
    ("multiclass", "binary"),
    [("dice_ce", "binary_dice_bce"), ("focal", "binary_focal"), ("tversky", "binary_tversky"), ("ce", "bce")],
)
def test_switching_mode_converts_the_loss(dock, multiclass, binary):
    dock.modeCombo.setCurrentIndex(dock.modeCombo.findData("multiclass"))
    dock.lossCombo.setCurrentIndex(dock.lossCombo.findData(multiclass))
    dock.modeCombo.setCurrentIndex(dock.modeCombo.findData("binary"))
    assert dock.lossCombo.currentData() == binary
    listed = [dock.lossCombo.itemData(i) for i in range(dock.lossCombo.count())]
    assert listed == [spec.name for spec in available_losses("binary")]  # only the mode's losses
    assert dock.lossCombo.itemData(dock.lossCombo.currentIndex(), 3)  # a tooltip from the loss catalog
    dock.modeCombo.setCurrentIndex(dock.modeCombo.findData("multiclass"))
    assert dock.lossCombo.currentData() == multiclass


def test_a_layer_that_is_not_a_file_is_refused_clearly(dock, iface, landcover):
    add_layers(landcover)
    memory = QgsVectorLayer("Polygon?crs=EPSG:32119&field=id:integer", "sketch", "memory")
    QgsProject.instance().addMapLayer(memory)
    dock.labelCombo.setLayer(memory)
    dock.trainButton.click()
    assert dock.task is None
    assert "The layer 'sketch' is not a local file" in iface.messages[-1][1]


def _setup_training(dock, landcover, crop, tmp_path, epochs: int):
    image, _, strata = add_layers(landcover, crop)
    dock.rasterCombo.setLayer(image)
    dock.labelCombo.setLayer(strata)
    dock.epochsSpin.setValue(epochs)
    dock.tileSizeSpin.setValue(64)
    dock.outputDirWidget.setFilePath(str(tmp_path / "model"))
    return image


def test_train_then_predict_adds_a_styled_layer_on_the_raster_grid(dock, iface, landcover, crop, tmp_path):
    image = _setup_training(dock, landcover, crop, tmp_path, epochs=1)
    epochs = []
    dock.trainButton.click()
    assert dock.task is not None and not dock.trainButton.isEnabled()
    dock.task.event_received.connect(lambda e: epochs.append(e) if e["event"] == "epoch" else None)
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "training to finish")
    assert dock.progressBar.value() == 100
    assert len(epochs) == 1 and "Epoch 1/1" in dock.logView.toPlainText()
    assert dock.modelDirWidget.filePath() == str(tmp_path / "model")
    assert json.loads((tmp_path / "model" / "run.json").read_text())["tile_size"] == 64

    canvas = iface.mapCanvas()
    canvas.setDestinationCrs(image.crs())
    canvas.resize(400, 400)
    canvas.setExtent(image.extent())
    canvas.refresh()
    dock.predictButton.click()
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "prediction to finish")
    predictions = [
        layer
        for layer in QgsProject.instance().mapLayers().values()
        if layer.source().startswith(str(tmp_path / "model" / "predictions"))
    ]
    assert len(predictions) == 1, iface.messages
    prediction = predictions[0]
    group = QgsProject.instance().layerTreeRoot().findLayer(prediction.id()).parent()
    assert group.name() == prediction.name()  # the prediction sits in its own group
    assert "Area per class (ha): " in dock.logView.toPlainText()
    assert prediction.crs() == image.crs()
    assert prediction.rasterUnitsPerPixelX() == pytest.approx(image.rasterUnitsPerPixelX())
    assert prediction.rasterUnitsPerPixelY() == pytest.approx(image.rasterUnitsPerPixelY())
    assert prediction.extent().contains(image.extent()) and image.extent().contains(prediction.extent())
    renderer = prediction.renderer()
    assert isinstance(renderer, QgsPalettedRasterRenderer)
    meta = json.loads((tmp_path / "model" / "model.json").read_text())
    assert [(c.value, c.label) for c in renderer.classes()] == [(c["value"], c["name"]) for c in meta["classes"]]


def test_cancel_stops_the_worker_and_qgis_stays_responsive(dock, iface, landcover, crop, tmp_path):
    _setup_training(dock, landcover, crop, tmp_path, epochs=200)
    progress = []
    dock.trainButton.click()
    task = dock.task
    task.event_received.connect(lambda e: progress.append(e) if e["event"] == "progress" else None)
    wait_until(lambda: bool(progress) or dock.task is None, TASK_TIMEOUT, "the first batch")
    assert progress, iface.messages
    pid = task.pid
    statuses = []
    task.statusChanged.connect(statuses.append)
    dock.cancelButton.click()
    ticks = []
    from qgis.PyQt.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    wait_until(lambda: dock.task is None, 60, "the cancelled task to end")
    timer.stop()
    assert len(ticks) > 5  # the event loop kept running while the worker stopped
    assert QgsTask.Terminated in statuses
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    meta = json.loads((tmp_path / "model" / "model.json").read_text())
    assert meta["status"] == "cancelled"
    assert "Training stopped" in iface.messages[-1][1]
    assert dock.trainButton.isEnabled() and not dock.cancelButton.isEnabled()


def test_predict_inside_the_selected_polygons(dock, iface, landcover, small_model):
    image, polygons, _ = add_layers(landcover)
    dock.rasterCombo.setLayer(image)
    dock.modelDirWidget.setFilePath(str(small_model))
    dock.extentCombo.setCurrentIndex(dock.extentCombo.findData("layer"))
    dock.maskCombo.setLayer(polygons)
    dock.selectedOnlyCheck.setChecked(True)
    dock.predictButton.click()
    assert dock.task is None and "No feature of 'polygons' is selected" in iface.messages[-1][1]
    polygons.selectByIds([f.id() for f in polygons.getFeatures()][:2])
    dock.predictButton.click()
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "prediction to finish")
    predictions = [
        layer
        for layer in QgsProject.instance().mapLayers().values()
        if isinstance(layer, QgsRasterLayer) and "predictions" in layer.source()
    ]
    assert len(predictions) == 1, iface.messages
    selected = polygons.boundingBoxOfSelected()
    extent = predictions[0].extent()
    assert extent.width() < selected.width() + 2 * 28.5 and extent.height() < selected.height() + 2 * 28.5
    assert extent.width() * extent.height() < 0.5 * image.extent().width() * image.extent().height()
    mask_file = predictions[0].source().replace(".tif", "_mask.gpkg")
    assert QgsVectorLayer(mask_file, "mask", "ogr").featureCount() == 2
