"""The plugin's dock: choose layers and settings, train, predict, watch progress, cancel."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

from qgis.core import Qgis, QgsApplication, QgsMapLayerProxyModel, QgsProject, QgsVectorLayer
from qgis.gui import QgsFileWidget
from qgis.PyQt import uic
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QDockWidget

from ..core.config import MODES, TrainConfig, config_to_dict
from ..core.errors import UserError
from ..losses import available_losses, convert_loss_name
from ..tasks.layers import add_prediction, export_polygons, extent_in_crs, layer_file
from ..tasks.worker import WorkerTask

FORM_CLASS, _ = uic.loadUiType(str(Path(__file__).with_name("dock.ui")))
DEFAULTS = {f.name: f.default for f in dataclasses.fields(TrainConfig) if f.default is not dataclasses.MISSING}


class TrainerDock(QDockWidget, FORM_CLASS):
    def __init__(self, iface, parent=None) -> None:
        super().__init__(parent)
        self.setupUi(self)
        self.iface = iface
        self.task: WorkerTask | None = None
        self.rasterCombo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.labelCombo.setFilters(QgsMapLayerProxyModel.PolygonLayer | QgsMapLayerProxyModel.RasterLayer)
        self.labelCombo.layerChanged.connect(self._on_labels_changed)
        self._on_labels_changed(self.labelCombo.currentLayer())
        self.classFieldCombo.setAllowEmptyFieldName(True)
        mode_labels = {"binary": self.tr("Binary"), "multiclass": self.tr("Multiclass")}
        for mode in MODES:
            self.modeCombo.addItem(mode_labels[mode], mode)
        self.modeCombo.setCurrentIndex(MODES.index(DEFAULTS["mode"]))
        self._fill_losses(DEFAULTS["mode"], selected="")
        self.modeCombo.currentIndexChanged.connect(self._on_mode_changed)
        self.epochsSpin.setValue(DEFAULTS["epochs"])
        self.tileSizeSpin.setValue(DEFAULTS["tile_size"])
        self.extentCombo.addItem(self.tr("Map canvas extent"), "canvas")
        self.extentCombo.addItem(self.tr("Raster layer extent"), "layer")
        self.maskCombo.setFilters(QgsMapLayerProxyModel.PolygonLayer)
        self.maskCombo.setAllowEmptyLayer(True)
        self.maskCombo.setLayer(None)
        for widget in (self.outputDirWidget, self.modelDirWidget):
            widget.setStorageMode(QgsFileWidget.GetDirectory)
        self.trainButton.clicked.connect(self.start_training)
        self.predictButton.clicked.connect(self.start_prediction)
        self.cancelButton.clicked.connect(self.cancel)

    # --- settings -----------------------------------------------------------------------------

    def mode(self) -> str:
        return self.modeCombo.currentData()

    def _fill_losses(self, mode: str, selected: str) -> None:
        self.lossCombo.clear()
        for spec in available_losses(mode):
            self.lossCombo.addItem(spec.name, spec.name)
            self.lossCombo.setItemData(
                self.lossCombo.count() - 1,
                spec.description + "\n" + self.tr("Suits: {0}").format(spec.scenario),
                Qt.ToolTipRole,
            )
        if selected:
            self.lossCombo.setCurrentIndex(self.lossCombo.findData(selected))

    def _on_mode_changed(self) -> None:
        """Switching mode selects the equivalent loss of the new mode (seed 000's auto-conversion)."""
        current = self.lossCombo.currentData()
        self._fill_losses(self.mode(), convert_loss_name(current, self.mode()) if current else "")

    def _on_labels_changed(self, layer) -> None:
        is_vector = isinstance(layer, QgsVectorLayer)
        self.classFieldCombo.setLayer(layer if is_vector else None)
        self.classFieldCombo.setEnabled(is_vector)

    def training_config(self) -> TrainConfig:
        """The run's config from the dock; a UserError says which setting is missing or wrong."""
        raster, labels = self.rasterCombo.currentLayer(), self.labelCombo.currentLayer()
        if raster is None or labels is None:
            raise UserError(self.tr("Choose a raster layer and a label layer first."))
        raster_path, _ = layer_file(raster)
        labels_path, labels_layer = layer_file(labels)
        field = self.classFieldCombo.currentField() if isinstance(labels, QgsVectorLayer) else ""
        output = self.outputDirWidget.filePath() or str(_default_model_dir(raster.name()))
        return TrainConfig(
            raster=raster_path,
            labels=labels_path,
            label_layer=labels_layer if isinstance(labels, QgsVectorLayer) else None,
            class_field=field or None,
            mode=self.mode(),
            loss=self.lossCombo.currentData(),
            epochs=self.epochsSpin.value(),
            tile_size=self.tileSizeSpin.value(),
            output_dir=output,
        )

    # --- runs ---------------------------------------------------------------------------------

    def start_training(self) -> None:
        try:
            config = self.training_config()
        except UserError as exc:
            self.show_message(str(exc), error=True)
            return
        run_file = Path(config.output_dir) / "run.json"
        run_file.parent.mkdir(parents=True, exist_ok=True)
        run_file.write_text(json.dumps(config_to_dict(config), indent=2), encoding="utf-8")
        self.logView.appendPlainText(self.tr("Training into {0}").format(config.output_dir))
        self._start(
            WorkerTask(
                self.tr("Segmentation Trainer: training"), ["train", "--config", str(run_file)], self._training_finished
            )
        )

    def start_prediction(self) -> None:
        raster, model_dir = self.rasterCombo.currentLayer(), self.modelDirWidget.filePath()
        try:
            if raster is None or not model_dir:
                raise UserError(self.tr("Choose a raster layer and a model folder first."))
            raster_path, _ = layer_file(raster)
        except UserError as exc:
            self.show_message(str(exc), error=True)
            return
        output = Path(model_dir) / "predictions" / f"{Path(raster_path).stem}_{time.strftime('%Y%m%d_%H%M%S')}.tif"
        args = ["predict", "--model", model_dir, "--raster", raster_path, "--output", str(output)]
        if self.extentCombo.currentData() == "canvas":
            canvas = self.iface.mapCanvas()
            extent = extent_in_crs(canvas.extent(), canvas.mapSettings().destinationCrs(), raster.crs())
            args.append("--extent=" + ",".join(repr(v) for v in extent))
        mask = self.maskCombo.currentLayer()
        if mask is not None:
            try:
                path = export_polygons(
                    mask, self.selectedOnlyCheck.isChecked(), output.with_name(output.stem + "_mask.gpkg")
                )
            except UserError as exc:
                self.show_message(str(exc), error=True)
                return
            args += ["--mask", path]
        self._start(WorkerTask(self.tr("Segmentation Trainer: prediction"), args, self._prediction_finished))

    def _start(self, task: WorkerTask) -> None:
        self.task = task
        task.event_received.connect(self._on_event)
        task.progressChanged.connect(lambda value: self.progressBar.setValue(int(value)))
        self.progressBar.setValue(0)
        self._set_running(True)
        QgsApplication.taskManager().addTask(task)

    def cancel(self) -> None:
        if self.task is not None:
            self.logView.appendPlainText(self.tr("Cancelling…"))
            self.task.cancel()

    def _set_running(self, running: bool) -> None:
        self.trainButton.setEnabled(not running)
        self.predictButton.setEnabled(not running)
        self.cancelButton.setEnabled(running)

    def _on_event(self, event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "log":
            self.logView.appendPlainText(event.get("message", ""))
        elif kind == "epoch":
            self.logView.appendPlainText(
                self.tr("Epoch {0}/{1}: train loss {2:.4f}, validation mIoU {3}").format(
                    event["epoch"],
                    event["epochs"],
                    event["train_loss"],
                    "n/a" if event.get("miou") is None else f"{event['miou']:.3f}",
                )
            )

    def _finish(self, task: WorkerTask) -> bool:
        """Common end of a run; True when it completed and its result can be used."""
        self.task = None
        self._set_running(False)
        if task.cancelled_event is not None or task.isCanceled():
            message = (task.cancelled_event or {}).get("message") or self.tr("Cancelled.")
            self.show_message(message)
            return False
        if task.error_message:
            self.show_message(task.error_message, error=True)
            return False
        return task.result_event is not None

    def _training_finished(self, task: WorkerTask) -> None:
        if task.cancelled_event and task.cancelled_event.get("model_dir"):
            self.modelDirWidget.setFilePath(task.cancelled_event["model_dir"])
        if not self._finish(task):
            return
        result = task.result_event
        self.modelDirWidget.setFilePath(result["model_dir"])
        miou = result.get("best_miou")
        self.show_message(
            self.tr("Training finished: best validation mIoU {0}. Model in {1}").format(
                "n/a" if miou is None else f"{miou:.3f}", result["model_dir"]
            )
        )

    def _prediction_finished(self, task: WorkerTask) -> None:
        if not self._finish(task):
            return
        result = task.result_event
        try:
            layer = add_prediction(result, Path(result["prediction"]).stem)
        except UserError as exc:
            self.show_message(str(exc), error=True)
            return
        if result.get("areas_ha"):
            self.logView.appendPlainText(
                self.tr("Area per class (ha): {0}").format(
                    ", ".join(f"{name} {area:,.1f}" for name, area in result["areas_ha"].items())
                )
            )
        self.show_message(self.tr("Prediction added as layer {0}.").format(layer.name()))

    def show_message(self, text: str, error: bool = False) -> None:
        self.logView.appendPlainText(text)
        level = Qgis.Critical if error else Qgis.Info
        self.iface.messageBar().pushMessage(
            self.tr("Segmentation Trainer"), text, level=level, duration=0 if error else 8
        )


def _default_model_dir(raster_name: str) -> Path:
    home = QgsProject.instance().homePath() or str(Path.home())
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in raster_name)
    return Path(home) / "segmentation_models" / f"{safe}_{time.strftime('%Y%m%d_%H%M%S')}"
