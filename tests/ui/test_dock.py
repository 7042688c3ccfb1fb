"""The dock in real QGIS (offscreen): layer combos, loss auto-conversion, train, predict, cancel."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from qgis.core import QgsPalettedRasterRenderer, QgsProject, QgsRasterLayer, QgsRectangle, QgsTask, QgsVectorLayer
from qgis.gui import QgsMapToolExtent
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QDoubleSpinBox
from qgis_helpers import wait_until

from segmentation_trainer.core.common.classes import field_classes
from segmentation_trainer.losses import LOSS_PRESETS, available_losses
from segmentation_trainer.ui.dock import TrainerDock

TASK_TIMEOUT = 300


@pytest.fixture
def dock(iface):
    widget = TrainerDock(iface)
    yield widget
    if widget.task is not None:
        widget.cancel()
        wait_until(lambda: widget.task is None, TASK_TIMEOUT, "the task to stop")
    wait_until(lambda: widget.check_task is None, TASK_TIMEOUT, "the worker check to end")
    sip.delete(widget)  # before the stub iface's canvas, as in QGIS (the extent tool refers to it)


def add_layers(landcover, crop=None):
    project = QgsProject.instance()
    image = QgsRasterLayer(str(crop or landcover["image"]), "image")
    polygons = QgsVectorLayer(str(landcover["polygons"]), "polygons", "ogr")
    strata = QgsRasterLayer(str(landcover["strata"]), "strata")
    for layer in (image, polygons, strata):
        assert layer.isValid()
        project.addMapLayer(layer)
    return image, polygons, strata


def class_layers() -> list[QgsRasterLayer]:
    """The predicted class rasters in the project (not their confidence and polygon companions)."""
    return [
        layer
        for layer in QgsProject.instance().mapLayers().values()
        if isinstance(layer, QgsRasterLayer)
        and "predictions" in layer.source()
        and isinstance(layer.renderer(), QgsPalettedRasterRenderer)
    ]


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


def test_switching_mode_keeps_only_parameters_that_mean_the_same(dock):
    """combo's alpha scales the focal term (1); binary_combo's is the foreground weight (0.5): a 1
    carried over would give the background almost no weight."""
    dock.modeCombo.setCurrentIndex(dock.modeCombo.findData("multiclass"))
    dock.lossCombo.setCurrentIndex(dock.lossCombo.findData("combo"))
    dock.loss_panel.widgets["dice_weight"].setValue(0.7)
    assert dock.loss_panel.widgets["alpha"].value() == 1.0
    dock.modeCombo.setCurrentIndex(dock.modeCombo.findData("binary"))
    assert dock.lossCombo.currentData() == "binary_combo"
    assert dock.loss_panel.params()["alpha"] == 0.5 and dock.loss_panel.params()["dice_weight"] == 0.7


def test_tversky_hint_shows_for_the_focal_plus_tversky_weights(dock):
    dock.modeCombo.setCurrentIndex(dock.modeCombo.findData("multiclass"))
    dock.lossCombo.setCurrentIndex(dock.lossCombo.findData("focal_plus_tversky"))
    dock.loss_panel.widgets["tversky_beta"].setValue(0.9)
    assert "α + β = 1.20" in dock.lossHint.text()


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
    train_curve = dock.curves.series(dock.panels["loss"], dock.series["train"])
    assert train_curve == [(1.0, pytest.approx(epochs[0]["train_loss"]))]
    assert len(dock.curves.series(dock.panels["miou"], dock.series["miou"])) == 1  # a point per epoch, drawn live
    assert dock.progressLabel.text().startswith("Epoch 1/1 · batch")
    assert dock.modelDirWidget.filePath() == str(tmp_path / "model")
    assert json.loads((tmp_path / "model" / "run.json").read_text())["tile_size"] == 64

    canvas = iface.mapCanvas()
    canvas.setDestinationCrs(image.crs())
    canvas.resize(400, 400)
    canvas.setExtent(image.extent())
    canvas.refresh()
    dock.predictRasterCombo.setLayer(image)
    dock.extentWidget.setCurrentExtent(canvas.extent(), canvas.mapSettings().destinationCrs())
    dock.extentWidget.setOutputExtentFromCurrent()
    dock.predictConfidenceCheck.setChecked(True)
    dock.predictVectorizeCheck.setChecked(True)
    dock.predictButton.click()
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "prediction to finish")
    predictions = class_layers()
    assert len(predictions) == 1, iface.messages
    prediction = predictions[0]
    group = QgsProject.instance().layerTreeRoot().findLayer(prediction.id()).parent()
    assert group.name() == prediction.name()  # the prediction sits in its own group
    beside = {child.layer().source().split("|")[0].rsplit("/", 1)[-1] for child in group.findLayers()}
    stem = prediction.source().rsplit("/", 1)[-1][: -len(".tif")]
    assert beside == {f"{stem}.tif", f"{stem}_confidence.tif", f"{stem}.gpkg"}  # confidence and polygons
    assert "Area per class (ha): " in dock.logView.toPlainText()
    assert prediction.crs() == image.crs()
    assert prediction.rasterUnitsPerPixelX() == pytest.approx(image.rasterUnitsPerPixelX())
    assert prediction.rasterUnitsPerPixelY() == pytest.approx(image.rasterUnitsPerPixelY())
    assert prediction.extent().contains(image.extent()) and image.extent().contains(prediction.extent())
    renderer = prediction.renderer()
    assert isinstance(renderer, QgsPalettedRasterRenderer)
    meta = json.loads((tmp_path / "model" / "model.json").read_text())
    assert [(c.value, c.label) for c in renderer.classes()] == [(c["value"], c["name"]) for c in meta["classes"]]


def test_several_rasters_train_in_one_run_and_predict_in_one_worker(dock, iface, landcover, crop, tmp_path):
    from osgeo import gdal

    image = _setup_training(dock, landcover, crop, tmp_path, epochs=1)
    gdal.Translate(str(tmp_path / "second.tif"), str(landcover["image"]), srcWin=[250, 200, 192, 192])
    second = QgsRasterLayer(str(tmp_path / "second.tif"), "second")
    QgsProject.instance().addMapLayer(second)
    listed = [dock.moreRastersCombo.itemText(i) for i in range(dock.moreRastersCombo.count())]
    assert sorted(listed) == ["second", "strata"]  # every raster layer but the one chosen above
    dock.more_rasters.set_layer_ids([second.id()])
    assert dock.training_config().raster == [str(crop), str(tmp_path / "second.tif")]
    dock.trainButton.click()
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "training to finish")
    meta = json.loads((tmp_path / "model" / "model.json").read_text())
    assert meta["train_config"]["raster"] == [str(crop), str(tmp_path / "second.tif")], iface.messages

    dock.predictRasterCombo.setLayer(image)
    dock.more_predict_rasters.set_layer_ids([second.id()])
    dock.predictButton.click()
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "prediction to finish")
    predictions = sorted(class_layers(), key=lambda layer: layer.name())
    assert [p.name() for p in predictions] == ["crop_prediction", "second_prediction"], iface.messages
    for prediction, source in zip(predictions, (image, second)):
        assert prediction.extent() == source.extent() and prediction.crs() == source.crs()
    assert Path(predictions[0].source()).parent == Path(predictions[1].source()).parent  # one folder per run


def test_cancel_stops_the_worker_and_qgis_stays_responsive(dock, iface, landcover, crop, tmp_path):
    _setup_training(dock, landcover, crop, tmp_path, epochs=200)
    epochs = []  # cancelled after an epoch ended: the model is kept (before, nothing would be written)
    dock.trainButton.click()
    task = dock.task
    task.event_received.connect(lambda e: epochs.append(e) if e["event"] == "epoch" else None)
    wait_until(lambda: bool(epochs) or dock.task is None, TASK_TIMEOUT, "the first epoch")
    assert epochs, iface.messages
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
    dock.predictRasterCombo.setLayer(image)
    dock.modelDirWidget.setFilePath(str(small_model))
    dock.maskCombo.setLayer(polygons)
    dock.selectedOnlyCheck.setChecked(True)
    dock.predictButton.click()
    assert dock.task is None and "No feature of 'polygons' is selected" in iface.messages[-1][1]
    polygons.selectByIds([f.id() for f in polygons.getFeatures()][:2])
    dock.predictButton.click()
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "prediction to finish")
    predictions = class_layers()
    assert len(predictions) == 1, iface.messages
    selected = polygons.boundingBoxOfSelected()
    extent = predictions[0].extent()
    assert extent.width() < selected.width() + 2 * 28.5 and extent.height() < selected.height() + 2 * 28.5
    assert extent.width() * extent.height() < 0.5 * image.extent().width() * image.extent().height()
    mask_file = predictions[0].source().replace(".tif", "_mask.gpkg")
    assert QgsVectorLayer(mask_file, "mask", "ogr").featureCount() == 2


def test_loss_tab_shows_only_the_chosen_losss_parameters(dock):
    dock.lossCombo.setCurrentIndex(dock.lossCombo.findData("combo"))
    assert set(dock.loss_panel.params()) == {"ce_weight", "dice_weight", "focal_weight", "gamma", "alpha"}
    assert not dock.presetCombo.isHidden() and dock.presetCombo.currentData() == "dice_dominant"
    dock.presetCombo.setCurrentIndex(dock.presetCombo.findData("focal_dominant"))
    assert [dock.loss_panel.params()[k] for k in ("ce_weight", "dice_weight", "focal_weight")] == [0.5, 0.5, 1.0]
    dock.findChild(QDoubleSpinBox, "param_dice_weight").setValue(0.7)
    assert dock.presetCombo.currentData() == "custom"  # edited weights match no preset

    dock.lossCombo.setCurrentIndex(dock.lossCombo.findData("tversky"))
    assert set(dock.loss_panel.params()) == {"alpha", "beta", "smooth", "per_image"}
    assert dock.presetCombo.isHidden()
    dock.findChild(QDoubleSpinBox, "param_alpha").setValue(0.5)
    assert "α + β = 1.20" in dock.lossHint.text()

    dock.lossCombo.setCurrentIndex(dock.lossCombo.findData("focal"))
    dock.findChild(QDoubleSpinBox, "param_gamma").setValue(3.0)
    dock.modeCombo.setCurrentIndex(dock.modeCombo.findData("binary"))
    assert dock.lossCombo.currentData() == "binary_focal" and dock.loss_panel.params()["gamma"] == 3.0
    dock.lossCombo.setCurrentIndex(dock.lossCombo.findData("bce"))
    assert dock.loss_panel.params() == {} and dock.lossParamsGroup.isHidden()


def test_class_table_is_filled_from_the_labels_and_checked(dock, iface, landcover):
    image, polygons, strata = add_layers(landcover)
    dock.rasterCombo.setLayer(image)
    dock.labelCombo.setLayer(polygons)
    dock.classFieldCombo.setField("label")
    dock.fillClassesButton.click()
    names = sorted({f["label"] for f in polygons.getFeatures()})
    classes = dock.class_table.classes()
    assert [c["name"] for c in classes] == names and [c["value"] for c in classes] == list(range(1, 8))
    worker_rule = field_classes([f["label"] for f in polygons.getFeatures()])[1]  # what the worker numbers
    assert [(c["value"], c["name"]) for c in classes] == [(c.value, c.name) for c in worker_rule]
    assert all(len(c["color"]) == 7 for c in classes)
    assert [c.name for c in dock.training_config().classes] == names  # text labels map through the table
    dock.labelCombo.setLayer(strata)
    dock.fillClassesButton.click()
    assert [c["value"] for c in dock.class_table.classes()] == list(range(1, 8))
    dock.classTable.item(1, 0).setText("1")
    dock.trainButton.click()
    assert dock.task is None and "Class table, row 2: the value 1 is used twice." in iface.messages[-1][1]


def test_band_choice_under_the_raster_and_the_model_bands_on_the_predict_tab(dock, landcover, tmp_path):
    from qgis.PyQt.QtGui import QValidator

    image, _, strata = add_layers(landcover)
    dock.rasterCombo.setLayer(image)
    dock.labelCombo.setLayer(strata)
    assert dock.dataForm.getWidgetPosition(dock.bandsEdit)[0] == 2  # under the raster and More rasters
    assert "all 5 bands" in dock.bandsEdit.placeholderText() and "--bands" in dock.bandsEdit.toolTip()
    assert dock.training_config().bands is None
    dock.bandsEdit.setText("3, 2,1")
    assert dock.training_config().bands == [3, 2, 1] and dock.settings()["train"]["bands"] == [3, 2, 1]
    assert dock.bandsEdit.validator().validate("3,a", 3)[0] == QValidator.Invalid
    model = tmp_path / "model"
    model.mkdir()
    meta = {"architecture": "unet", "encoder": "resnet18", "classes": [{"value": 1, "name": "a"}], "resolution": [1]}
    (model / "model.json").write_text(json.dumps(meta | {"in_channels": 3, "bands": [3, 2, 1], "raster_bands": 5}))
    dock.predictRasterCombo.setLayer(image)
    dock.modelDirWidget.setFilePath(str(model))
    assert "It reads bands 3, 2, 1." in dock.modelInfoLabel.text() and "Warning" not in dock.modelInfoLabel.text()
    dock.predictRasterCombo.setLayer(strata)  # one band
    assert "Warning: The raster 'strata' has 1 band(s)" in dock.modelInfoLabel.text()
    assert "band 3, 2 is missing" in dock.modelInfoLabel.text()


def test_check_data_reports_tiles_and_pixels_per_class(dock, landcover, crop, tmp_path):
    _setup_training(dock, landcover, crop, tmp_path, epochs=1)
    before = set(Path(tempfile.gettempdir()).glob("segtrainer-*"))
    dock.checkDataButton.click()
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "the data check")
    text = dock.summaryView.toPlainText()
    assert "crop.tif: 192 x 192 pixels, 5 bands.\nTiles of 64 px: " in text, text
    assert "Labelled pixels per class (training / validation):" in text
    assert not (tmp_path / "model").exists()  # a dry run writes nothing
    assert set(Path(tempfile.gettempdir()).glob("segtrainer-*")) <= before  # nor leaves temporary folders


def test_prediction_in_a_rectangle_drawn_on_the_map(dock, iface, landcover, small_model):
    image, _, _ = add_layers(landcover)
    canvas = iface.mapCanvas()
    canvas.setDestinationCrs(image.crs())
    canvas.resize(400, 400)
    canvas.setExtent(image.extent())
    dock.predictRasterCombo.setLayer(image)
    dock.modelDirWidget.setFilePath(str(small_model))
    assert "7 classes" in dock.modelInfoLabel.text() and "5 bands" in dock.modelInfoLabel.text()
    dock.extentWidget.setOutputExtentFromDrawOnCanvas()
    tool = canvas.mapTool()
    assert isinstance(tool, QgsMapToolExtent)
    e = image.extent()
    drawn = QgsRectangle(e.xMinimum(), e.yMinimum(), e.center().x(), e.center().y())
    tool.extentChanged.emit(drawn)  # what releasing the mouse after dragging a rectangle does
    assert dock.extentWidget.outputExtent() == drawn
    dock.predictButton.click()
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "prediction to finish")
    predictions = class_layers()
    assert len(predictions) == 1, iface.messages
    got, pixel = predictions[0].extent(), image.rasterUnitsPerPixelX()
    for a, b in zip(
        (got.xMinimum(), got.yMinimum(), got.xMaximum(), got.yMaximum()),
        (drawn.xMinimum(), drawn.yMinimum(), drawn.xMaximum(), drawn.yMaximum()),
    ):
        assert abs(a - b) <= pixel  # snapped outward to the raster's grid


def test_settings_are_saved_in_the_project_and_restored(dock, iface, landcover, tmp_path):
    image, polygons, strata = add_layers(landcover)
    dock.rasterCombo.setLayer(image)
    dock.labelCombo.setLayer(polygons)
    dock.classFieldCombo.setField("label")
    dock.class_table.set_classes([{"value": 3, "name": "water", "color": "#0000ff"}])
    dock.modeCombo.setCurrentIndex(dock.modeCombo.findData("binary"))
    dock.lossCombo.setCurrentIndex(dock.lossCombo.findData("binary_focal_tversky"))
    dock.findChild(QDoubleSpinBox, "param_beta").setValue(0.8)
    dock.architectureCombo.setCurrentIndex(dock.architectureCombo.findData("deeplabv3plus"))
    dock.epochsSpin.setValue(7)
    dock.learningRateSpin.setValue(0.003)
    dock.deviceCombo.setCurrentIndex(dock.deviceCombo.findData("cpu"))
    dock.predictRasterCombo.setLayer(strata)
    dock.more_predict_rasters.set_layer_ids([image.id()])
    dock.more_rasters.set_layer_ids([strata.id()])
    dock.maskCombo.setLayer(polygons)
    dock.predictVectorizeCheck.setChecked(True)
    dock.addLossButton.click()  # the comparison's list: the Tversky loss added, equal unticked
    dock.configurationTable.item(0, 0).setCheckState(Qt.Unchecked)
    dock.baselineCombo.setCurrentIndex(dock.baselineCombo.findData("dice_only"))
    dock.secondArchitectureCombo.setCurrentIndex(dock.secondArchitectureCombo.findData("attention_unet"))
    saved = dock.settings()
    assert saved["more_predict_rasters"] == [image.id()] and saved["more_rasters"] == [strata.id()]
    assert saved["comparison"]["configurations"][-1]["params"]["beta"] == 0.8
    project = QgsProject.instance()
    path = tmp_path / "project.qgz"
    assert project.write(str(path))
    project.clear()
    reopened = TrainerDock(iface)  # as after restarting QGIS
    try:
        assert reopened.settings() != saved
        assert project.read(str(path))
        assert reopened.settings() == saved
        assert (
            reopened.loss_panel.params()["beta"] == 0.8 and reopened.lossCombo.currentData() == "binary_focal_tversky"
        )
    finally:
        wait_until(lambda: reopened.check_task is None, TASK_TIMEOUT, "the worker check to end")


def test_exported_run_trains_headless_and_the_model_loads_back(dock, worker, landcover, crop, tmp_path):
    """The "Export run" JSON trains with the worker alone (no QGIS in that process); the model folder
    then loads back in the dock for prediction."""
    _setup_training(dock, landcover, crop, tmp_path, epochs=1)
    dock.encoderCombo.setCurrentText("resnet18")
    dock.lossCombo.setCurrentIndex(dock.lossCombo.findData("focal"))
    run = dock.export_run(tmp_path / "exported" / "run.json")
    config = json.loads(run.read_text())
    assert config["raster"] == [str(crop)] and config["loss"] == "focal" and config["loss_params"]["gamma"] == 2.0
    code, events = worker("train", "--config", str(run))
    assert code == 0, events[-3:]
    result = events[-1]
    assert result["event"] == "result" and result["model_dir"] == str(tmp_path / "model")
    dock.modelDirWidget.setFilePath(result["model_dir"])
    assert dock.modelInfoLabel.text().startswith("unet/resnet18, ") and "; 5 bands; " in dock.modelInfoLabel.text()


def test_status_line_shows_the_workers_pytorch_and_device(dock):
    wait_until(lambda: dock.check_task is None, TASK_TIMEOUT, "the worker check")
    text = dock.workerStatusLabel.text()
    assert re.match(r"Worker: PyTorch \d+\.\d+\S* · (cpu|cuda(:\d+)?|mps) · ", text), text


def test_compare_losses_reports_and_trains_with_the_best(dock, landcover, crop, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("segmentation_trainer.ui.dock.QDesktopServices.openUrl", opened.append)
    _setup_training(dock, landcover, crop, tmp_path, epochs=1)
    dock.tileSizeSpin.setValue(32)
    dock.modeCombo.setCurrentIndex(dock.modeCombo.findData("multiclass"))
    dock.lossCombo.setCurrentIndex(dock.lossCombo.findData("focal_tversky"))
    dock.addLossButton.click()
    table = dock.configurationTable
    names = [table.item(row, 0).text() for row in range(table.rowCount())]
    assert names[:7] == list(LOSS_PRESETS)
    assert names[7] == "focal_tversky" and table.item(7, 1).text() == "focal_tversky"
    for row, name in enumerate(names):  # compare ce_only, dice_dominant and the added loss
        table.item(row, 0).setCheckState(
            Qt.Checked if name in ("ce_only", "dice_dominant", "focal_tversky") else Qt.Unchecked
        )
    assert [dock.baselineCombo.itemText(i) for i in range(dock.baselineCombo.count())] == [
        "dice_dominant",
        "ce_only",
        "focal_tversky",
    ]
    dock.baselineCombo.setCurrentIndex(dock.baselineCombo.findData("ce_only"))
    dock.runsSpin.setValue(2)
    dock.reportDirWidget.setFilePath(str(tmp_path / "report"))

    dock.compareButton.click()
    assert dock.task is not None and not dock.trainButton.isEnabled()
    wait_until(lambda: dock.task is None, 3 * TASK_TIMEOUT, "the comparison to finish")
    saved = json.loads((tmp_path / "report" / "compare.json").read_text())
    assert [c["name"] for c in saved["configurations"]] == ["dice_dominant", "ce_only", "focal_tversky"]
    assert saved["baseline"] == "ce_only" and saved["train"]["tile_size"] == 32 and saved["runs"] == 2
    results = json.loads((tmp_path / "report" / "results.json").read_text())
    shown = [dock.resultsTable.item(row, 0).text() for row in range(dock.resultsTable.rowCount())]
    assert shown == [r["configuration"] for r in results["configurations"]]
    assert dock.recommendationLabel.text() == results["recommendation"]
    assert [url.toLocalFile() for url in opened] == [str(tmp_path / "report" / "report.html")]
    assert {name for _, name in dock.curves.points} == {"dice_dominant", "ce_only", "focal_tversky"}
    assert all(len(points) == 1 for points in dock.curves.points.values())  # the first run's epoch only
    assert dock.tabs.currentWidget() is dock.compareTab

    dock.trainBestButton.click()  # the final model: the Loss tab set to the best, trained with it
    assert dock.lossCombo.currentData() == next(
        r["loss"] for r in results["configurations"] if r["configuration"] == results["best"]
    )
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "the final training to finish")
    final = json.loads((tmp_path / "report" / "final_model" / "model.json").read_text())
    assert results["configurations"][0]["loss_params"].items() <= final["loss"]["params"].items()
    assert dock.modelDirWidget.filePath() == str(tmp_path / "report" / "final_model")


def test_setting_widgets_follow_the_declarations(dock):
    from segmentation_trainer.core.common.config import PredictConfig, TrainConfig
    from segmentation_trainer.core.common.schema import settings_of
    from segmentation_trainer.ui.dock import DOCK_INPUTS, PREDICT_INPUTS

    forms = {TrainConfig: dock.train_forms, PredictConfig: dock.predict_forms}
    for cls, expected in (
        (TrainConfig, [s for s in settings_of(TrainConfig).values() if s.source not in DOCK_INPUTS]),
        (PredictConfig, [s for n, s in settings_of(PredictConfig).items() if n not in PREDICT_INPUTS]),
    ):
        widgets = {name: w for form in forms[cls] for name, w in form.widgets.items()}
        assert set(widgets) == {s.name for s in expected}
        for s in expected:
            widget = widgets[s.name]
            assert s.cli_flag in widget.toolTip()
            assert (widget.parentWidget() in (dock.advancedGroup, dock.predictAdvancedGroup)) == s.advanced, s.name
            if hasattr(widget, "minimum") and s.minimum is not None:
                assert widget.minimum() == pytest.approx(
                    s.minimum, abs=10 ** -widget.decimals() if hasattr(widget, "decimals") else 0
                )
                assert s.maximum is None or widget.maximum() == pytest.approx(s.maximum)
    values = {name: value for form in dock.train_forms for name, value in form.values().items()}
    assert {name: values[name] for name in ("epochs", "tile_size", "learning_rate", "augmentation")} == {
        s: getattr(TrainConfig(raster="r", labels="l", output_dir="o"), s)
        for s in ("epochs", "tile_size", "learning_rate", "augmentation")
    }


def test_export_to_onnx_writes_the_model_folder_for_deepness(dock, iface, small_model, tmp_path):
    dock.exportOnnxButton.click()
    assert dock.task is None and "Choose a model folder first" in iface.messages[-1][1]
    dock.modelDirWidget.setFilePath(str(tmp_path))  # not a model folder: the worker says so
    dock.exportOnnxButton.click()
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "the export to end")
    assert "is not a model folder" in iface.messages[-1][1] and not list(tmp_path.iterdir())
    dock.modelDirWidget.setFilePath(str(small_model))
    dock.exportOutputWidget.setFilePath(str(tmp_path / "landcover.onnx"))
    dock.exportTileSizeSpin.setValue(128)
    dock.exportOnnxButton.click()
    assert not dock.predictButton.isEnabled()  # one run at a time
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "the export to end")
    assert (tmp_path / "landcover.onnx").is_file(), iface.messages
    assert "landcover.onnx" in iface.messages[-1][1] and "128 px" in iface.messages[-1][1]
    assert dock.settings()["export"] == {"output": str(tmp_path / "landcover.onnx"), "tile_size": 128, "margin": 64}


def test_sample_points_then_assess_them_in_the_assess_tab(
    dock, iface, worker, small_model, crop, tmp_path, monkeypatch
):
    from qgis.core import QgsPointXY

    opened = []
    monkeypatch.setattr("segmentation_trainer.ui.dock.QDesktopServices.openUrl", opened.append)
    output = tmp_path / "p.tif"
    code, events = worker("predict", "--model", str(small_model), "--raster", str(crop), "--output", str(output))
    assert code == 0, events[-2:]
    prediction = QgsRasterLayer(str(tmp_path / "p.tif"), "prediction")
    QgsProject.instance().addMapLayer(prediction)
    dock.assessRasterCombo.setLayer(prediction)
    dock.sampleTargetStandardErrorSpin.setValue(0.05)
    dock.sampleMinPerClassSpin.setValue(5)
    dock.sampleButton.click()
    assert dock.task is not None and not dock.assessButton.isEnabled()
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "the sample")
    points = dock.referenceCombo.currentLayer()
    assert isinstance(points, QgsVectorLayer) and points.featureCount() >= 64, iface.messages
    assert Path(points.source().split("|")[0]).parent == tmp_path  # beside the class raster
    assert dock.referenceFieldCombo.currentField() == "reference" and dock.tabs.currentWidget() is dock.assessTab
    assert "fill in their field 'reference'" in iface.messages[-1][1]

    dock.assessButton.click()  # nothing filled in yet
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "the refused assessment")
    assert "is empty on every feature" in iface.messages[-1][1] and not opened
    provider = prediction.dataProvider()
    field = points.fields().indexOf("reference")
    assert points.startEditing()
    for feature in points.getFeatures():  # the map's own class: a perfect map
        value, _ = provider.sample(QgsPointXY(feature.geometry().asPoint()), 1)
        points.changeAttributeValue(feature.id(), field, str(int(value)))
    assert points.commitChanges()
    dock.assessButton.click()
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "the assessment")
    assert dock.assessResultLabel.text().startswith("Overall accuracy 1.000, kappa 1.000"), iface.messages
    assert "Overall accuracy 1.000, kappa 1.000." in dock.logView.toPlainText()  # the key figures in the log
    assert len(opened) == 1 and opened[0].toLocalFile().endswith("report.html")
    assert dock.openAssessmentButton.isEnabled()


def test_uncertainty_rasters_join_the_prediction_with_a_colour_ramp(dock, iface, landcover, small_model):
    """Predict with test-time augmentation and both uncertainty rasters: the dock adds them to the prediction's
    group, unchecked, each with a viridis ramp from 0 to 1, bright where unsure (the style the worker wrote
    beside each raster, which QGIS also applies to the file opened on its own)."""
    from qgis.core import QgsSingleBandPseudoColorRenderer

    from segmentation_trainer.core.common.colors import VIRIDIS

    image, _, _ = add_layers(landcover)
    dock.predictRasterCombo.setLayer(image)
    dock.modelDirWidget.setFilePath(str(small_model))
    dock.predictUncertaintyCombo.setCurrentIndex(dock.predictUncertaintyCombo.findData("both"))
    dock.predictTtaCombo.setCurrentIndex(dock.predictTtaCombo.findData("flips"))
    dock.predictButton.click()
    wait_until(lambda: dock.task is None, TASK_TIMEOUT, "prediction to finish")
    (prediction,) = class_layers()
    group = QgsProject.instance().layerTreeRoot().findLayer(prediction.id()).parent()
    name = prediction.name()
    assert [node.layer().name() for node in group.findLayers()] == [name, f"{name} entropy", f"{name} margin"]
    assert "Test-time augmentation (flips): each tile predicted 4 times" in dock.logView.toPlainText()
    for node, (unsure, sure) in zip(group.findLayers()[1:], ((1.0, 0.0), (0.0, 1.0))):
        assert not node.isVisible()
        renderer = node.layer().renderer()
        assert isinstance(renderer, QgsSingleBandPseudoColorRenderer), node.layer().name()
        assert (renderer.classificationMin(), renderer.classificationMax()) == (0.0, 1.0)
        items = {i.value: i.color.name() for i in renderer.shader().rasterShaderFunction().colorRampItemList()}
        assert len(items) == len(VIRIDIS) and items[unsure] == VIRIDIS[-1] and items[sure] == VIRIDIS[0]
