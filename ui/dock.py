"""The plugin's dock: data, model, loss, training, loss comparison, run (progress and curves) and
prediction tabs.

A thin layer over ``dock.ui``: it builds the same ``TrainConfig`` as the command line, starts the
worker through ``WorkerTask`` and shows what the worker reports. The Loss tab's logic lives in
``loss_panel.py``, the Compare losses tab's in ``comparison_panel.py``, the class table in
``class_table.py``, the curves in ``curves.py``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qgis.core import Qgis, QgsApplication, QgsMapLayerProxyModel, QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.gui import QgsFileWidget
from qgis.PyQt import uic
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QDockWidget, QFileDialog, QVBoxLayout

from ..core.config import (
    ARCHITECTURES,
    AUGMENTATIONS,
    CLASS_WEIGHTINGS,
    DEVICES,
    CompareConfig,
    LossConfiguration,
    TrainConfig,
    load_config,
    save_config,
)
from ..core.errors import UserError
from ..tasks.layers import add_prediction, export_polygons, extent_in_crs, layer_file
from ..tasks.worker import WorkerTask
from .class_table import ClassTable
from .comparison_panel import ComparisonPanel
from .curves import CurvePlot
from .loss_panel import LossPanel
from .project_settings import load_settings, save_settings
from .setup_dialog import SetupDialog, describe_environment

FORM_CLASS, _ = uic.loadUiType(str(Path(__file__).with_name("dock.ui")))
DEFAULTS = {f.name: f.default for f in dataclasses.fields(TrainConfig) if f.default is not dataclasses.MISSING}
ENCODERS = ("resnet18", "resnet34", "resnet50", "resnet101", "efficientnet-b0", "efficientnet-b4", "mobilenet_v2")
LAYER_SETTINGS = ("rasterCombo", "labelCombo", "aoiCombo", "validationAreaCombo", "predictRasterCombo", "maskCombo")
VALUE_SETTINGS = (
    "epochsSpin",
    "batchSizeSpin",
    "learningRateSpin",
    "tileSizeSpin",
    "strideSpin",
    "simplifySpin",
)
CHECK_SETTINGS = ("selectedOnlyCheck", "confidenceCheck", "vectorizeCheck")
DATA_COMBOS = ("architectureCombo", "augmentationCombo", "classWeightingCombo", "deviceCombo")
PATH_SETTINGS = ("weightsWidget", "outputDirWidget", "modelDirWidget")


class TrainerDock(QDockWidget, FORM_CLASS):
    def __init__(self, iface, parent=None) -> None:
        super().__init__(parent)
        self.setupUi(self)
        self.iface = iface
        self.task: WorkerTask | None = None
        self.check_task: WorkerTask | None = None
        self.setup_dialog: SetupDialog | None = None
        self.started_at = 0.0
        self.loss_panel = LossPanel(self)
        self.comparison_panel = ComparisonPanel(self, self._architecture_names())
        self.class_table = ClassTable(self.classTable)
        self.panels = {"loss": self.tr("Loss"), "miou": self.tr("Validation mIoU")}
        self.series = {"train": self.tr("training"), "validation": self.tr("validation"), "miou": self.tr("mIoU")}
        self.curves = CurvePlot(self._training_panels())
        self.report: dict[str, Any] | None = None
        layout = QVBoxLayout(self.curvesPlaceholder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.curves)
        self._setup_data_tab()
        self._setup_model_and_training_tabs()
        self._setup_predict_tab()
        self.trainButton.clicked.connect(self.start_training)
        self.addLossButton.clicked.connect(self.add_current_loss)
        self.compareButton.clicked.connect(self.start_comparison)
        self.openReportButton.clicked.connect(self.open_report)
        self.trainBestButton.clicked.connect(self.train_best)
        self.exportRunButton.clicked.connect(self._ask_export_run)
        self.predictButton.clicked.connect(self.start_prediction)
        self.cancelButton.clicked.connect(self.cancel)
        self.setupButton.clicked.connect(self.open_setup)
        project = QgsProject.instance()
        project.writeProject.connect(self._save_to_project)
        project.readProject.connect(self._restore_from_project)
        self.check_worker()

    # --- tabs ---------------------------------------------------------------------------------

    def _setup_data_tab(self) -> None:
        self.rasterCombo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.labelCombo.setFilters(QgsMapLayerProxyModel.PolygonLayer | QgsMapLayerProxyModel.RasterLayer)
        self.labelCombo.layerChanged.connect(self._on_labels_changed)
        self._on_labels_changed(self.labelCombo.currentLayer())
        self.classFieldCombo.setAllowEmptyFieldName(True)
        for combo in (self.aoiCombo, self.validationAreaCombo):
            combo.setFilters(QgsMapLayerProxyModel.PolygonLayer)
            combo.setAllowEmptyLayer(True)
            combo.setLayer(None)
        self.fillClassesButton.clicked.connect(self.fill_classes)
        self.addClassButton.clicked.connect(lambda: self.class_table.add_class())
        self.removeClassButton.clicked.connect(self.class_table.remove_selected)
        self.checkDataButton.clicked.connect(self.check_data)

    def _architecture_names(self) -> dict[str, str]:
        return {"unet": "U-Net", "deeplabv3plus": "DeepLabV3+", "attention_unet": self.tr("Attention U-Net")}

    def _training_panels(self) -> dict[str, dict[str, str]]:
        return {
            self.panels["loss"]: {self.series["train"]: "#377eb8", self.series["validation"]: "#e41a1c"},
            self.panels["miou"]: {self.series["miou"]: "#4daf4a"},
        }

    def _setup_model_and_training_tabs(self) -> None:
        names = self._architecture_names()
        for key in ARCHITECTURES:
            self.architectureCombo.addItem(names[key], key)
        for encoder in ENCODERS:
            self.encoderCombo.addItem(encoder, encoder)
        self.weightsWidget.setFilter(self.tr("Weights (*.pth *.pt *.safetensors)"))
        for combo, values in (
            (self.augmentationCombo, AUGMENTATIONS),
            (self.classWeightingCombo, CLASS_WEIGHTINGS),
            (self.deviceCombo, DEVICES),
        ):
            for value in values:
                combo.addItem(value, value)
        self.outputDirWidget.setStorageMode(QgsFileWidget.GetDirectory)
        self._apply_training_defaults()

    def _apply_training_defaults(self) -> None:
        d = DEFAULTS
        self.architectureCombo.setCurrentIndex(self.architectureCombo.findData(d["architecture"]))
        self.encoderCombo.setCurrentText(d["encoder"])
        self.epochsSpin.setValue(d["epochs"])
        self.batchSizeSpin.setValue(d["batch_size"])
        self.learningRateSpin.setValue(d["learning_rate"])
        self.tileSizeSpin.setValue(d["tile_size"])
        self.strideSpin.setValue(d["stride"])
        self.augmentationCombo.setCurrentIndex(self.augmentationCombo.findData(d["augmentation"]))
        self.classWeightingCombo.setCurrentIndex(self.classWeightingCombo.findData(d["class_weighting"]))
        self.deviceCombo.setCurrentIndex(self.deviceCombo.findData(d["device"]))

    def _setup_predict_tab(self) -> None:
        self.modelDirWidget.setStorageMode(QgsFileWidget.GetDirectory)
        self.modelDirWidget.fileChanged.connect(self._show_model_info)
        self.predictRasterCombo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.predictRasterCombo.layerChanged.connect(self._on_predict_raster_changed)
        self.extentWidget.setMapCanvas(self.iface.mapCanvas())
        self.extentWidget.setNullValueAllowed(True, self.tr("Whole raster"))
        self.extentWidget.toggleDialogVisibility.connect(self.setVisible)
        self._on_predict_raster_changed(self.predictRasterCombo.currentLayer())
        self.maskCombo.setFilters(QgsMapLayerProxyModel.PolygonLayer)
        self.maskCombo.setAllowEmptyLayer(True)
        self.maskCombo.setLayer(None)
        self.vectorizeCheck.toggled.connect(self.simplifySpin.setEnabled)
        self.simplifySpin.setEnabled(False)
        self.modelInfoLabel.setText(self.tr("Choose a model folder written by training."))

    def _on_labels_changed(self, layer) -> None:
        is_vector = isinstance(layer, QgsVectorLayer)
        self.classFieldCombo.setLayer(layer if is_vector else None)
        self.classFieldCombo.setEnabled(is_vector)

    def _on_predict_raster_changed(self, layer) -> None:
        if layer is not None:
            self.extentWidget.setOriginalExtent(layer.extent(), layer.crs())
            self.extentWidget.setOutputCrs(layer.crs())
        canvas = self.iface.mapCanvas()
        self.extentWidget.setCurrentExtent(canvas.extent(), canvas.mapSettings().destinationCrs())
        self._show_model_info(self.modelDirWidget.filePath())

    def _show_model_info(self, model_dir: str) -> None:
        """The model's classes, bands and resolution, with a warning when the raster does not fit."""
        path = Path(model_dir) / "model.json" if model_dir else None
        if path is None or not path.is_file():
            self.modelInfoLabel.setText(
                self.tr("{0} is not a model folder (no model.json).").format(model_dir)
                if model_dir
                else self.tr("Choose a model folder written by training.")
            )
            return
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            classes = ", ".join(c["name"] for c in meta["classes"])
            bands = int(meta["in_channels"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.modelInfoLabel.setText(self.tr("{0} cannot be read: {1}").format(path, exc))
            return
        resolution = meta.get("resolution") or ["?"]
        best = (meta.get("metrics") or {}).get("best_miou")
        text = self.tr("{0}/{1}, {2} classes ({3}); {4} bands; {5} map units per pixel; best mIoU {6}.").format(
            meta.get("architecture"),
            meta.get("encoder"),
            len(meta["classes"]),
            classes,
            bands,
            resolution[0],
            "n/a" if best is None else f"{best:.3f}",
        )
        raster = self.predictRasterCombo.currentLayer()
        if isinstance(raster, QgsRasterLayer) and raster.bandCount() != bands:
            text += " " + self.tr("Warning: '{0}' has {1} bands, the model was trained on {2}.").format(
                raster.name(), raster.bandCount(), bands
            )
        self.modelInfoLabel.setText(text)

    # --- configuration ------------------------------------------------------------------------

    def fill_classes(self) -> None:
        try:
            self.class_table.fill_from_labels(self.labelCombo.currentLayer(), self.classFieldCombo.currentField())
        except UserError as exc:
            self.show_message(str(exc), error=True)

    def training_config(self) -> TrainConfig:
        """The run's config from the dock; a UserError says which setting is missing or wrong."""
        raster, labels = self.rasterCombo.currentLayer(), self.labelCombo.currentLayer()
        if raster is None or labels is None:
            raise UserError(self.tr("Choose a raster layer and a label layer first."))
        raster_path, _ = layer_file(raster)
        labels_path, labels_layer = layer_file(labels)
        is_vector = isinstance(labels, QgsVectorLayer)
        areas = {}
        for key, combo in (("aoi", self.aoiCombo), ("validation_area", self.validationAreaCombo)):
            layer = combo.currentLayer()
            areas[key], areas[f"{key}_layer"] = layer_file(layer) if layer is not None else (None, None)
        output = self.outputDirWidget.filePath() or str(_default_model_dir(raster.name()))
        return TrainConfig(
            raster=raster_path,
            labels=labels_path,
            label_layer=labels_layer if is_vector else None,
            class_field=(self.classFieldCombo.currentField() or None) if is_vector else None,
            classes=self.class_table.classes(),
            mode=self.loss_panel.mode(),
            loss=self.loss_panel.loss(),
            loss_params=self.loss_panel.params(),
            architecture=self.architectureCombo.currentData(),
            encoder=self.encoderCombo.currentText().strip() or DEFAULTS["encoder"],
            encoder_weights=self.weightsWidget.filePath() or None,
            epochs=self.epochsSpin.value(),
            batch_size=self.batchSizeSpin.value(),
            learning_rate=self.learningRateSpin.value(),
            tile_size=self.tileSizeSpin.value(),
            stride=self.strideSpin.value(),
            augmentation=self.augmentationCombo.currentData(),
            class_weighting=self.classWeightingCombo.currentData(),
            device=self.deviceCombo.currentData(),
            output_dir=output,
            **areas,
        )

    def export_run(self, path: str | Path) -> Path:
        """Write the run's config as JSON for ``python -m segmentation_trainer train --config``."""
        return save_config(self.training_config(), Path(path))

    def _ask_export_run(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export run"), "run.json", self.tr("JSON (*.json)"))
        if not path:
            return
        try:
            self.show_message(self.tr("Run exported to {0}.").format(self.export_run(path)))
        except UserError as exc:
            self.show_message(str(exc), error=True)

    # --- runs ---------------------------------------------------------------------------------

    def start_training(self) -> None:
        self._start_run(["train"], self.tr("Segmentation Trainer: training"), self._training_finished)

    def check_data(self) -> None:
        """Tiles and labelled pixels per class that training would use (the worker's dry run)."""
        self.summaryView.setPlainText(self.tr("Checking the data…"))
        self._start_run(["train", "--dry-run"], self.tr("Segmentation Trainer: checking data"), self._data_checked)

    def _start_run(self, command: list[str], title: str, on_finished) -> None:
        try:
            config = self.training_config()
        except UserError as exc:
            self.show_message(str(exc), error=True)
            return
        dry_run = "--dry-run" in command  # writes nothing: its run file goes to a temporary folder
        folder = Path(tempfile.mkdtemp(prefix="segtrainer-")) if dry_run else Path(config.output_dir)
        run_file = save_config(config, folder / "run.json")
        if not dry_run:
            self.logView.appendPlainText(self.tr("Training into {0}").format(config.output_dir))
            self.curves.set_panels(self._training_panels())
            self.tabs.setCurrentWidget(self.runTab)
        finish = _removing(folder, on_finished) if dry_run else on_finished
        self._start(WorkerTask(title, [*command, "--config", str(run_file)], finish))

    # --- loss comparison ----------------------------------------------------------------------

    def add_current_loss(self) -> None:
        """The Loss tab's choice as a new configuration of the comparison."""
        name = self.loss_panel.configuration_name()
        self.comparison_panel.add(LossConfiguration(name, self.loss_panel.loss(), self.loss_panel.params()))

    def comparison_config(self) -> CompareConfig:
        train = self.training_config()
        raster = self.rasterCombo.currentLayer()
        folder = self.reportDirWidget.filePath() or str(_default_model_dir(f"loss_comparison_{raster.name()}"))
        return self.comparison_panel.compare_config(train, folder)

    def start_comparison(self) -> None:
        try:
            config = self.comparison_config()
        except UserError as exc:
            self.show_message(str(exc), error=True)
            return
        folder = Path(config.train.output_dir)
        self.reportDirWidget.setFilePath(str(folder))
        run_file = save_config(config, folder / "compare.json")
        self.logView.appendPlainText(
            self.tr("Comparing {0} loss configurations into {1}").format(len(config.configurations), folder)
        )
        self.curves.set_panels({self.panels["loss"]: {}, self.panels["miou"]: {}})
        self.tabs.setCurrentWidget(self.runTab)
        title = self.tr("Segmentation Trainer: comparing losses")
        self._start(WorkerTask(title, ["compare", "--config", str(run_file)], self._comparison_finished))

    def _comparison_finished(self, task: WorkerTask) -> None:
        summary = task.result_event or task.cancelled_event or {}
        self._finish(task)
        if not summary.get("report"):
            return
        self.report = summary
        self.comparison_panel.show_results(summary)
        self.openReportButton.setEnabled(True)
        self.trainBestButton.setEnabled(True)
        self.tabs.setCurrentWidget(self.compareTab)
        self.open_report()

    def open_report(self) -> None:
        if self.report:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.report["report"]))

    def train_best(self) -> None:
        """Set the Loss tab to the comparison's best configuration and train the final model."""
        if not self.report:
            return
        best = load_config(TrainConfig, self.report["best_run"])
        self.loss_panel.set_state(best.mode, best.loss, best.loss_params)
        self.outputDirWidget.setFilePath(best.output_dir)
        self.start_training()

    def start_prediction(self) -> None:
        raster, model_dir = self.predictRasterCombo.currentLayer(), self.modelDirWidget.filePath()
        try:
            if raster is None or not model_dir:
                raise UserError(self.tr("Choose a raster layer and a model folder first."))
            raster_path, _ = layer_file(raster)
            output = Path(model_dir) / "predictions" / f"{Path(raster_path).stem}_{time.strftime('%Y%m%d_%H%M%S')}.tif"
            args = ["predict", "--model", model_dir, "--raster", raster_path, "--output", str(output)]
            args += self._extent_args(raster) + self._mask_args(output)
        except UserError as exc:
            self.show_message(str(exc), error=True)
            return
        if self.confidenceCheck.isChecked():
            args.append("--confidence")
        if self.vectorizeCheck.isChecked():
            args += ["--vectorize", "--simplify", repr(self.simplifySpin.value())]
        self.tabs.setCurrentWidget(self.runTab)
        self._start(WorkerTask(self.tr("Segmentation Trainer: prediction"), args, self._prediction_finished))

    def _extent_args(self, raster) -> list[str]:
        """``--extent`` in the raster's CRS, or nothing for the whole raster."""
        extent = self.extentWidget.outputExtent()
        if extent.isNull() or extent.isEmpty():
            return []
        values = extent_in_crs(extent, self.extentWidget.outputCrs(), raster.crs())
        return ["--extent=" + ",".join(repr(v) for v in values)]

    def _mask_args(self, output: Path) -> list[str]:
        mask = self.maskCombo.currentLayer()
        if mask is None:
            return []
        path = export_polygons(mask, self.selectedOnlyCheck.isChecked(), output.with_name(output.stem + "_mask.gpkg"))
        return ["--mask", path]

    def _start(self, task: WorkerTask) -> None:
        self.task = task
        task.event_received.connect(self._on_event)
        task.progressChanged.connect(lambda value: self.progressBar.setValue(int(value)))
        self.progressBar.setValue(0)
        self.progressLabel.setText(task.description())
        self.started_at = time.monotonic()
        self._set_running(True)
        QgsApplication.taskManager().addTask(task)

    def shutdown(self) -> None:
        """Before the dock goes (plugin unloaded): stop its runs; their ends no longer call the dock."""
        for task in (self.task, self.check_task):
            if task is None:
                continue
            task.on_finished = None
            for signal in (task.event_received, task.progressChanged):
                try:
                    signal.disconnect()
                except TypeError:  # nothing was connected
                    pass
            task.cancel()

    def cancel(self) -> None:
        if self.task is not None:
            self.logView.appendPlainText(self.tr("Cancelling…"))
            self.task.cancel()

    def _set_running(self, running: bool) -> None:
        for button in (self.trainButton, self.predictButton, self.checkDataButton, self.compareButton):
            button.setEnabled(not running)
        self.cancelButton.setEnabled(running)

    def _on_event(self, event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "log":
            self.logView.appendPlainText(event.get("message", ""))
        elif kind == "progress":
            self.progressLabel.setText(self._progress_text(event))
        elif kind == "epoch":
            epoch, miou, configuration = event["epoch"], event.get("miou"), event.get("configuration")
            if configuration:  # a comparison: validation loss and mIoU, one line per configuration (first run)
                if not event.get("repeat"):
                    self.curves.add_point(self.panels["loss"], configuration, epoch, event.get("val_loss"))
                    self.curves.add_point(self.panels["miou"], configuration, epoch, miou)
            else:
                self.curves.add_point(self.panels["loss"], self.series["train"], epoch, event.get("train_loss"))
                self.curves.add_point(self.panels["loss"], self.series["validation"], epoch, event.get("val_loss"))
                self.curves.add_point(self.panels["miou"], self.series["miou"], epoch, miou)
            self.logView.appendPlainText(
                (f"{configuration}: " if configuration else "")
                + self.tr("Epoch {0}/{1}: train loss {2:.4f}, validation mIoU {3}").format(
                    epoch, event["epochs"], event["train_loss"], "n/a" if miou is None else f"{miou:.3f}"
                )
            )

    def _progress_text(self, event: dict[str, Any]) -> str:
        eta = event.get("eta_s")
        if eta is None:
            fraction = float(event.get("fraction", 0.0))
            elapsed = time.monotonic() - self.started_at
            eta = elapsed / fraction * (1.0 - fraction) if fraction > 0 else None
        eta_text = self.tr("ETA {0}").format(_duration(eta)) if eta is not None else ""
        if event.get("stage") == "train":
            text = self.tr("Epoch {0}/{1} · batch {2}/{3} · {4}").format(
                event.get("epoch"), event.get("epochs"), event.get("batch"), event.get("batches"), eta_text
            )
            if event.get("configuration"):
                text = (
                    self.tr("Loss {0}/{1} ({2}) · ").format(event["run"], event["runs"], event["configuration"]) + text
                )
            return text
        return self.tr("Chunk {0}/{1} · {2}").format(event.get("batch"), event.get("batches"), eta_text)

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

    def _data_checked(self, task: WorkerTask) -> None:
        if not self._finish(task):
            self.summaryView.setPlainText(task.error_message or self.tr("Cancelled."))
            return
        s = task.result_event["summary"]
        lines = [
            self.tr("{0} x {1} pixels, {2} bands; tiles of {3} px: {4} for training, {5} for validation.").format(
                s["raster"]["width"],
                s["raster"]["height"],
                s["raster"]["bands"],
                s["tile_size"],
                s["tiles"]["train"],
                s["tiles"]["validation"],
            ),
            self.tr("Labelled pixels per class (training / validation):"),
        ]
        lines += [
            f"  {c['value']} {c['name']}: {c['train_pixels']:,} / {c['validation_pixels']:,}" for c in s["classes"]
        ]
        missing = [c["name"] for c in s["classes"] if not c["train_pixels"]]
        if missing:
            lines.append(
                self.tr("No training pixels for: {0}. Add labels or change the split.").format(", ".join(missing))
            )
        self.summaryView.setPlainText("\n".join(lines))

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

    # --- worker environment -------------------------------------------------------------------

    def check_worker(self) -> None:
        """Ask the worker what it has (PyTorch version, device) and show it in the status line."""
        self.workerStatusLabel.setText(self.tr("Checking the worker…"))
        self.check_task = WorkerTask(
            self.tr("Segmentation Trainer: checking the worker"), ["check"], self._worker_checked
        )
        QgsApplication.taskManager().addTask(self.check_task)

    def _worker_checked(self, task: WorkerTask) -> None:
        self.check_task = None
        if task.result_event is not None:
            self.set_worker_status(task.result_event)
        else:
            reason = (task.error_message or "").splitlines()[0] if task.error_message else ""
            self.workerStatusLabel.setText(self.tr("Worker not ready: {0} Click Set up….").format(reason))

    def set_worker_status(self, result: dict[str, Any]) -> None:
        self.workerStatusLabel.setText(self.tr("Worker: {0}").format(describe_environment(result)))

    def open_setup(self) -> None:
        self.setup_dialog = SetupDialog(self)
        self.setup_dialog.environment_checked.connect(self.set_worker_status)
        self.setup_dialog.show()

    # --- settings saved in the project --------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """Every choice of the dock, with layers by id, as saved in the project."""
        values: dict[str, Any] = {name: getattr(self, name).value() for name in VALUE_SETTINGS}
        values |= {name: getattr(self, name).isChecked() for name in CHECK_SETTINGS}
        values |= {name: getattr(self, name).currentData() for name in DATA_COMBOS}
        values |= {name: getattr(self, name).filePath() for name in PATH_SETTINGS}
        for name in LAYER_SETTINGS:
            layer = getattr(self, name).currentLayer()
            values[name] = layer.id() if layer is not None else ""
        values["class_field"] = self.classFieldCombo.currentField()
        values["encoder"] = self.encoderCombo.currentText()
        try:
            values["classes"] = self.class_table.classes()
        except UserError:
            values["classes"] = []
        values["loss"] = {
            "mode": self.loss_panel.mode(),
            "name": self.loss_panel.loss(),
            "params": self.loss_panel.params(),
        }
        values["comparison"] = self.comparison_panel.state()
        return values

    def apply_settings(self, values: dict[str, Any]) -> None:
        """Restore ``settings()``; missing entries and layers no longer in the project are skipped."""
        project = QgsProject.instance()
        for name in LAYER_SETTINGS:
            layer = project.mapLayer(values.get(name) or "")
            if layer is not None:
                getattr(self, name).setLayer(layer)
        if "class_field" in values:
            self.classFieldCombo.setField(values["class_field"])
        for name in VALUE_SETTINGS:
            if name in values:
                getattr(self, name).setValue(values[name])
        for name in CHECK_SETTINGS:
            if name in values:
                getattr(self, name).setChecked(bool(values[name]))
        for name in DATA_COMBOS:
            combo = getattr(self, name)
            if combo.findData(values.get(name)) >= 0:
                combo.setCurrentIndex(combo.findData(values[name]))
        for name in PATH_SETTINGS:
            if name in values:
                getattr(self, name).setFilePath(values[name])
        if values.get("encoder"):
            self.encoderCombo.setCurrentText(values["encoder"])
        if "classes" in values:
            self.class_table.set_classes(values["classes"])
        loss = values.get("loss") or {}
        if loss:
            self.loss_panel.set_state(loss.get("mode", ""), loss.get("name", ""), loss.get("params") or {})
        if values.get("comparison"):
            self.comparison_panel.set_state(values["comparison"])

    def _save_to_project(self, _document=None) -> None:
        save_settings(QgsProject.instance(), self.settings())

    def _restore_from_project(self, _document=None) -> None:
        self.apply_settings(load_settings(QgsProject.instance()))


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def _default_model_dir(raster_name: str) -> Path:
    home = QgsProject.instance().homePath() or str(Path.home())
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in raster_name)
    return Path(home) / "segmentation_models" / f"{safe}_{time.strftime('%Y%m%d_%H%M%S')}"


def _removing(folder: Path, on_finished: Callable[[WorkerTask], None]) -> Callable[[WorkerTask], None]:
    """``on_finished``, after removing ``folder`` (a task's temporary run file)."""

    def finished(task: WorkerTask) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        on_finished(task)

    return finished
