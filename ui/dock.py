"""The plugin's dock: data, model, loss, training, loss comparison, run (progress and curves), prediction
(with the export to ONNX for Deepness) and accuracy assessment tabs.

A thin layer over ``dock.ui``: it builds the same ``TrainConfig`` as the command line, starts the
worker through ``WorkerTask`` and shows what the worker reports. The Loss tab's logic lives in
``loss_panel.py``, the Compare losses tab's in ``comparison_panel.py``, the Assess tab's in
``assessment_panel.py``, the class table in ``class_table.py``, the curves in ``curves.py``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from qgis.core import Qgis, QgsApplication, QgsMapLayerProxyModel, QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.gui import QgsExtentWidget, QgsFileWidget
from qgis.PyQt import uic
from qgis.PyQt.QtCore import Qt, QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QComboBox, QDockWidget, QFileDialog, QFormLayout, QVBoxLayout

from ..core.common import schema
from ..core.common.bands import bands_to_read
from ..core.common.config import (
    CompareConfig,
    ExportConfig,
    LossConfiguration,
    PredictConfig,
    TrainConfig,
    load_config,
    save_config,
)
from ..core.common.errors import UserError
from ..core.common.files import COMPARE_FILE, METADATA_FILE, RUN_FILE
from ..core.common.schema import settings_of
from ..tasks import progress
from ..tasks.layers import add_prediction, add_sample_points, export_polygons, extent_in_crs, layer_file
from ..tasks.worker import WorkerTask
from .assessment_panel import AssessmentPanel
from .class_table import ClassTable
from .comparison_panel import ComparisonPanel
from .curves import CurvePlot
from .layer_checklist import RasterChecklist
from .loss_panel import LossPanel
from .project_settings import load_settings, save_settings
from .settings_form import SettingsForm
from .setup_dialog import SetupDialog, describe_environment

FORM_CLASS, _ = uic.loadUiType(str(Path(__file__).with_name("dock.ui")))
LAYER_SETTINGS = (
    "rasterCombo",
    "labelCombo",
    "aoiCombo",
    "validationAreaCombo",
    "predictRasterCombo",
    "maskCombo",
    "assessRasterCombo",
    "referenceCombo",
)
CHECKLISTS = ("more_rasters", "more_predict_rasters")  # several layers, saved in the project by id
DOCK_INPUTS = (*schema.LAYER_SOURCES, schema.SUBLAYER, schema.FIELD, schema.CLASS_TABLE, schema.LOSS)
"""Settings the dock takes from its own widgets (layer combos, class table, Loss group); the others get
widgets built from their declaration."""
PREDICT_INPUTS = ("model_dir", "raster", "output", "extent", "extent_crs", "mask", "mask_layer")
"""Prediction settings the Predict tab takes from its own widgets; ``output`` is a new file in the model
folder's ``predictions`` (never an existing file), ``extent_crs`` the raster's (the extent is transformed)."""
MODEL_SETTINGS = ("init_model", "architecture", "encoder", "encoder_weights")
MIN_COMBO_CHARACTERS = 8  # the dock fits 400 px


def _forms(layouts: tuple[QFormLayout, QFormLayout], settings: list, prefix: str = "") -> list[SettingsForm]:
    """Basic settings in the first layout, advanced ones in the second."""
    basic = [s for s in settings if not s.advanced]
    advanced = [s for s in settings if s.advanced]
    return [SettingsForm(layouts[0], basic, prefix), SettingsForm(layouts[1], advanced, prefix)]


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
        self.comparison_panel = ComparisonPanel(self)
        self.assessment_panel = AssessmentPanel(self)
        self.assessment: dict[str, Any] | None = None
        self.class_table = ClassTable(self.classTable)
        self.panels = {"loss": self.tr("Loss"), "miou": self.tr("Validation mIoU")}
        self.series = {"train": self.tr("training"), "validation": self.tr("validation"), "miou": self.tr("mIoU")}
        self.curves = CurvePlot(self._training_panels())
        self.report: dict[str, Any] | None = None
        layout = QVBoxLayout(self.curvesPlaceholder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.curves)
        self._setup_data_tab()
        self._setup_train_tab()
        self._setup_predict_tab()
        self._expose(self.assessment_panel.forms)
        self._fit_narrow_width()
        self.trainButton.clicked.connect(self.start_training)
        self.addLossButton.clicked.connect(self.add_current_loss)
        self.compareButton.clicked.connect(self.start_comparison)
        self.openReportButton.clicked.connect(self.open_report)
        self.trainBestButton.clicked.connect(self.train_best)
        self.exportRunButton.clicked.connect(self._ask_export_run)
        self.predictButton.clicked.connect(self.start_prediction)
        self.exportOnnxButton.clicked.connect(self.start_export)
        self.sampleButton.clicked.connect(self.start_sample)
        self.assessButton.clicked.connect(self.start_assessment)
        self.openAssessmentButton.clicked.connect(self.open_assessment)
        self.cancelButton.clicked.connect(self.cancel)
        self.setupButton.clicked.connect(self.open_setup)
        project = QgsProject.instance()
        project.writeProject.connect(self._save_to_project)
        project.readProject.connect(self._restore_from_project)
        self.check_worker()

    # --- tabs ---------------------------------------------------------------------------------

    def _setup_data_tab(self) -> None:
        self.rasterCombo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.more_rasters = RasterChecklist(self.moreRastersCombo, self.rasterCombo)
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

    def _training_panels(self) -> dict[str, dict[str, str]]:
        return {
            self.panels["loss"]: {self.series["train"]: "#377eb8", self.series["validation"]: "#e41a1c"},
            self.panels["miou"]: {self.series["miou"]: "#4daf4a"},
        }

    def _setup_train_tab(self) -> None:
        """The Model, Training and Advanced groups' widgets, from the settings' declarations; the band choice
        goes under the raster in the Data tab."""
        settings = [s for s in settings_of(TrainConfig).values() if s.source not in DOCK_INPUTS]
        model = [s for s in settings if s.name in MODEL_SETTINGS]
        bands = [s for s in settings if s.source == schema.BANDS]
        others = [s for s in settings if s.name not in MODEL_SETTINGS and s not in bands]
        forms = _forms((self.trainingForm, self.advancedForm), others)
        self.train_forms = [SettingsForm(self.modelForm, model), SettingsForm(self.dataForm, bands, row=2), *forms]
        self._expose(self.train_forms)
        self.rasterCombo.layerChanged.connect(self._on_raster_changed)
        self._on_raster_changed(self.rasterCombo.currentLayer())

    def _fit_narrow_width(self) -> None:
        """Combo boxes as narrow as the dock allows (their longest entry no longer sets its width);
        the Train tab scrolls vertically only."""
        for combo in self.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(MIN_COMBO_CHARACTERS)
        self.trainScroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

    def _expose(self, forms: list[SettingsForm]) -> None:
        """The built widgets as attributes, like the Designer form's (``self.epochsSpin``)."""
        for form in forms:
            for widget in form.widgets.values():
                setattr(self, widget.objectName(), widget)

    def _setup_predict_tab(self) -> None:
        self.modelDirWidget.setStorageMode(QgsFileWidget.GetDirectory)
        self.modelDirWidget.fileChanged.connect(self._show_model_info)
        self.predictRasterCombo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.predictRasterCombo.layerChanged.connect(self._on_predict_raster_changed)
        self.more_predict_rasters = RasterChecklist(self.predictMoreRastersCombo, self.predictRasterCombo)
        self.extentWidget.setMapCanvas(self.iface.mapCanvas())
        self.extentWidget.setNullValueAllowed(True, self.tr("Whole raster"))
        self.extentWidget.toggleDialogVisibility.connect(self.setVisible)
        self._on_predict_raster_changed(self.predictRasterCombo.currentLayer())
        self.maskCombo.setFilters(QgsMapLayerProxyModel.PolygonLayer)
        self.maskCombo.setAllowEmptyLayer(True)
        self.maskCombo.setLayer(None)
        settings = [s for name, s in settings_of(PredictConfig).items() if name not in PREDICT_INPUTS]
        self.predict_forms = _forms((self.predictForm, self.predictAdvancedForm), settings, prefix="predict")
        self._expose(self.predict_forms)
        exported = [s for name, s in settings_of(ExportConfig).items() if name != "model_dir"]  # the model above
        self.export_form = SettingsForm(self.exportForm, exported, prefix="export")
        self._expose([self.export_form])
        self.predictVectorizeCheck.toggled.connect(self.predictSimplifySpin.setEnabled)
        self.predictSimplifySpin.setEnabled(False)
        self.modelInfoLabel.setText(self.tr("Choose a model folder written by training."))

    def _on_raster_changed(self, layer) -> None:
        """The band choice's hint says how many bands the raster has."""
        count = layer.bandCount() if isinstance(layer, QgsRasterLayer) else 0
        hint = self.tr("all {0} bands; or e.g. 4,3,2").format(count) if count else self.tr("all bands; or e.g. 4,3,2")
        self.bandsEdit.setPlaceholderText(hint)

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
        path = Path(model_dir) / METADATA_FILE if model_dir else None
        if path is None or not path.is_file():
            self.modelInfoLabel.setText(
                self.tr("{0} is not a model folder (no {1}).").format(model_dir, METADATA_FILE)
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
            self.tr("n/a") if best is None else f"{best:.3f}",
        )
        self.modelInfoLabel.setText(text + self._bands_note(meta))

    def _bands_note(self, meta: dict[str, Any]) -> str:
        """The bands a model reads, when chosen at training, and a warning when the Predict tab's raster does
        not fit (by the worker's rule, ``core/common/bands.py``)."""
        chosen = meta.get("bands") or []
        note = " " + self.tr("It reads bands {0}.").format(", ".join(map(str, chosen))) if chosen else ""
        raster = self.predictRasterCombo.currentLayer()
        if isinstance(raster, QgsRasterLayer):
            try:
                bands_to_read(meta, raster.bandCount(), f"'{raster.name()}'")
            except UserError as exc:
                note += " " + self.tr("Warning: {0}").format(exc)
        return note

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
        raster_paths = [layer_file(layer)[0] for layer in (raster, *self.more_rasters.layers())]
        labels_path, labels_layer = layer_file(labels)
        is_vector = isinstance(labels, QgsVectorLayer)
        areas = {}
        for key, combo in (("aoi", self.aoiCombo), ("validation_area", self.validationAreaCombo)):
            layer = combo.currentLayer()
            areas[key], areas[f"{key}_layer"] = layer_file(layer) if layer is not None else (None, None)
        values = _merged(self.train_forms)
        values["output_dir"] = values["output_dir"] or str(_default_model_dir(raster.name()))
        return TrainConfig(
            raster=raster_paths,
            labels=labels_path,
            label_layer=labels_layer if is_vector else None,
            class_field=(self.classFieldCombo.currentField() or None) if is_vector else None,
            classes=self.class_table.classes(),
            mode=self.loss_panel.mode(),
            loss=self.loss_panel.loss(),
            loss_params=self.loss_panel.params(),
            **areas,
            **values,
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
        if "--dry-run" in command:  # writes nothing: the task hands its config over in a temporary file
            self._start(WorkerTask(title, command, on_finished, config=config))
            return
        run_file = save_config(config, Path(config.output_dir) / RUN_FILE)  # kept beside the model
        self.logView.appendPlainText(self.tr("Training into {0}").format(config.output_dir))
        self.curves.set_panels(self._training_panels())
        self.tabs.setCurrentWidget(self.runTab)
        self._start(WorkerTask(title, [*command, "--config", str(run_file)], on_finished))

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
        run_file = save_config(config, folder / COMPARE_FILE)
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
        title = self.tr("Segmentation Trainer: prediction")
        self._start_worker(self.prediction_config, "predict", title, self._prediction_finished)

    def prediction_config(self) -> PredictConfig:
        """The prediction's config from the Predict tab; a UserError says what is missing. Several rasters (More
        rasters) are predicted into one folder, an extent given in its own CRS (the worker fits it to each)."""
        raster, model_dir = self.predictRasterCombo.currentLayer(), self.modelDirWidget.filePath()
        if raster is None or not model_dir:
            raise UserError(self.tr("Choose a raster layer and a model folder first."))
        layers = [raster, *self.more_predict_rasters.layers()]
        rasters = [layer_file(layer)[0] for layer in layers]
        stamp = time.strftime("%Y%m%d_%H%M%S")
        folder = Path(model_dir) / "predictions"
        output = folder / f"{Path(rasters[0]).stem}_{stamp}.tif" if len(rasters) == 1 else folder / stamp
        extent, extent_crs = self._extent(layers)
        return PredictConfig(
            model_dir=model_dir,
            raster=rasters,
            output=str(output),
            extent=extent,
            extent_crs=extent_crs,
            mask=self._mask(output if len(rasters) == 1 else output / "prediction.tif"),
            **_merged(self.predict_forms),
        )

    def export_config(self) -> ExportConfig:
        """The export of the Predict tab's model folder; a UserError when there is none."""
        model_dir = self.modelDirWidget.filePath()
        if not model_dir:
            raise UserError(self.tr("Choose a model folder first."))
        return ExportConfig(model_dir=model_dir, **self.export_form.values())

    def start_export(self) -> None:
        try:
            config = self.export_config()
        except UserError as exc:
            self.show_message(str(exc), error=True)
            return
        title = self.tr("Segmentation Trainer: export to ONNX")
        self._start(WorkerTask(title, ["export-onnx"], self._export_finished, config=config))

    def _export_finished(self, task: WorkerTask) -> None:
        if not self._finish(task):
            return
        result = task.result_event
        self.show_message(
            self.tr("Model exported to {0}: Deepness opens it, with tiles of {1} px.").format(
                result["onnx"], result["tile_size"]
            )
        )

    def _extent(self, layers: list) -> tuple[tuple[float, float, float, float] | None, str | None]:
        """The extent and its CRS: None for the whole rasters (no extent, or the raster's own); one raster's extent
        in its CRS; for several, the extent in the widget's CRS, named (WKT)."""
        extent = self.extentWidget.outputExtent()
        if extent.isNull() or extent.isEmpty() or self.extentWidget.extentState() == QgsExtentWidget.OriginalExtent:
            return None, None
        if len(layers) == 1:
            return extent_in_crs(extent, self.extentWidget.outputCrs(), layers[0].crs()), None
        box = (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
        return box, self.extentWidget.outputCrs().toWkt()

    def _mask(self, output: Path) -> str | None:
        mask = self.maskCombo.currentLayer()
        if mask is None:
            return None
        return export_polygons(mask, self.selectedOnlyCheck.isChecked(), output.with_name(output.stem + "_mask.gpkg"))

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
        buttons = (self.trainButton, self.predictButton, self.checkDataButton, self.compareButton)
        for button in (*buttons, self.exportOnnxButton, self.sampleButton, self.assessButton):
            button.setEnabled(not running)
        self.cancelButton.setEnabled(running)

    def _on_event(self, event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "progress":
            self.progressLabel.setText(progress.status_line(event, time.monotonic() - self.started_at))
        elif kind == "epoch":
            self._plot_epoch(event)
        line = progress.log_line(event)
        if line is not None and kind in ("log", "epoch"):  # the ends of a run are shown by _finish
            self.logView.appendPlainText(line[0])

    def _plot_epoch(self, event: dict[str, Any]) -> None:
        epoch, miou, configuration = event["epoch"], event.get("miou"), event.get("configuration")
        if configuration:  # a comparison: validation loss and mIoU, one line per configuration (first run)
            if not event.get("repeat"):
                self.curves.add_point(self.panels["loss"], configuration, epoch, event.get("val_loss"))
                self.curves.add_point(self.panels["miou"], configuration, epoch, miou)
            return
        self.curves.add_point(self.panels["loss"], self.series["train"], epoch, event.get("train_loss"))
        self.curves.add_point(self.panels["loss"], self.series["validation"], epoch, event.get("val_loss"))
        self.curves.add_point(self.panels["miou"], self.series["miou"], epoch, miou)

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
                self.tr("n/a") if miou is None else f"{miou:.3f}", result["model_dir"]
            )
        )

    def _data_checked(self, task: WorkerTask) -> None:
        if not self._finish(task):
            self.summaryView.setPlainText(task.error_message or self.tr("Cancelled."))
            return
        s = task.result_event["summary"]
        lines = [
            self.tr("{0}: {1} x {2} pixels, {3} bands.").format(
                Path(r["path"]).name, r["width"], r["height"], r["bands"]
            )
            for r in s["rasters"]
        ]
        lines += [
            self.tr("Tiles of {0} px: {1} for training, {2} for validation.").format(
                s["tile_size"], s["tiles"]["train"], s["tiles"]["validation"]
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
        for result in task.result_event["predictions"]:
            try:
                layer = add_prediction(result, Path(result["prediction"]).stem)
            except UserError as exc:
                self.show_message(str(exc), error=True)
                continue
            self.show_message(self.tr("Prediction added as layer {0}.").format(layer.name()))

    # --- accuracy assessment ------------------------------------------------------------------

    def start_sample(self) -> None:
        title = self.tr("Segmentation Trainer: sampling points")
        self._start_worker(self.assessment_panel.sample_config, "sample", title, self._sampled)

    def start_assessment(self) -> None:
        title = self.tr("Segmentation Trainer: assessing accuracy")
        self._start_worker(self.assessment_panel.assess_config, "assess", title, self._assessed)

    def _start_worker(self, make_config, command: str, title: str, on_finished) -> None:
        """Run the worker ``command`` with the config ``make_config()`` builds (its UserError shown)."""
        try:
            config = make_config()
        except UserError as exc:
            self.show_message(str(exc), error=True)
            return
        self.tabs.setCurrentWidget(self.runTab)
        self._start(WorkerTask(title, [command], on_finished, config=config))

    def _sampled(self, task: WorkerTask) -> None:
        if not self._finish(task):
            return
        result = task.result_event
        try:
            layer = add_sample_points(result["sample"], Path(result["sample"]).stem)
        except UserError as exc:
            self.show_message(str(exc), error=True)
            return
        self.assessment_panel.use_reference(layer, result["reference_field"])
        self.tabs.setCurrentWidget(self.assessTab)
        self.show_message(
            self.tr(
                "{0} sample points added as layer {1}: fill in their field '{2}' with the true class, then assess."
            ).format(result["points"], layer.name(), result["reference_field"])
        )

    def _assessed(self, task: WorkerTask) -> None:
        if not self._finish(task):
            return
        self.assessment = task.result_event
        self.assessment_panel.show_result(self.assessment)
        self.openAssessmentButton.setEnabled(True)
        self.tabs.setCurrentWidget(self.assessTab)
        self.open_assessment()

    def open_assessment(self) -> None:
        if self.assessment:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.assessment["report"]))

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
        """Every choice of the dock, settings by name and layers by id, as saved in the project."""
        values: dict[str, Any] = {"train": _merged(self.train_forms), "predict": _merged(self.predict_forms)}
        values["export"] = self.export_form.values()
        values |= {name: getattr(self, name).isChecked() for name in ("selectedOnlyCheck",)}
        values["model_dir"] = self.modelDirWidget.filePath()
        for name in LAYER_SETTINGS:
            layer = getattr(self, name).currentLayer()
            values[name] = layer.id() if layer is not None else ""
        values |= {name: getattr(self, name).layer_ids() for name in CHECKLISTS}
        values["class_field"] = self.classFieldCombo.currentField()
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
        values["assessment"] = self.assessment_panel.state()
        return values

    def apply_settings(self, values: dict[str, Any]) -> None:
        """Restore ``settings()``; missing entries and layers no longer in the project are skipped."""
        project = QgsProject.instance()
        for name in LAYER_SETTINGS:
            layer = project.mapLayer(values.get(name) or "")
            if layer is not None:
                getattr(self, name).setLayer(layer)
        for name in CHECKLISTS:
            getattr(self, name).set_layer_ids(values.get(name) or [])
        if "class_field" in values:
            self.classFieldCombo.setField(values["class_field"])
        forms = {"train": self.train_forms, "predict": self.predict_forms, "export": [self.export_form]}
        for key, key_forms in forms.items():
            for form in key_forms:
                form.set_values(values.get(key) or {})
        self.selectedOnlyCheck.setChecked(bool(values.get("selectedOnlyCheck")))
        if values.get("model_dir"):
            self.modelDirWidget.setFilePath(values["model_dir"])
        if "classes" in values:
            self.class_table.set_classes(values["classes"])
        loss = values.get("loss") or {}
        if loss:
            self.loss_panel.set_state(loss.get("mode", ""), loss.get("name", ""), loss.get("params") or {})
        if values.get("comparison"):
            self.comparison_panel.set_state(values["comparison"])
        self.assessment_panel.set_state(values.get("assessment") or {})

    def _save_to_project(self, _document=None) -> None:
        save_settings(QgsProject.instance(), self.settings())

    def _restore_from_project(self, _document=None) -> None:
        self.apply_settings(load_settings(QgsProject.instance()))


def _merged(forms: list[SettingsForm]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for form in forms:
        values |= form.values()
    return values


def _default_model_dir(raster_name: str) -> Path:
    home = QgsProject.instance().homePath() or str(Path.home())
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in raster_name)
    return Path(home) / "segmentation_models" / f"{safe}_{time.strftime('%Y%m%d_%H%M%S')}"
