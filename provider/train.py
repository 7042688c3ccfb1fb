"""Processing algorithm "Train model": the dock's training settings as parameters."""

from __future__ import annotations

import json
from pathlib import Path

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMapLayer,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from ..core.config import (
    ARCHITECTURES,
    AUGMENTATIONS,
    CLASS_WEIGHTINGS,
    DEVICES,
    MODES,
    TrainConfig,
    config_to_dict,
    load_config,
    save_config,
)
from ..core.errors import UserError
from ..tasks.layers import layer_file
from .worker_algorithm import WorkerAlgorithm

DEFAULTS = TrainConfig(raster="", labels="", output_dir="")
CONTEXT = "TrainAlgorithm"  # translation context of the training parameters, shared with Compare losses
ENUMS = {  # parameter: setting, choices, label
    "MODE": ("mode", MODES, QT_TRANSLATE_NOOP("TrainAlgorithm", "Mode")),
    "ARCHITECTURE": ("architecture", ARCHITECTURES, QT_TRANSLATE_NOOP("TrainAlgorithm", "Architecture")),
    "AUGMENTATION": ("augmentation", AUGMENTATIONS, QT_TRANSLATE_NOOP("TrainAlgorithm", "Augmentation")),
    "CLASS_WEIGHTING": ("class_weighting", CLASS_WEIGHTINGS, QT_TRANSLATE_NOOP("TrainAlgorithm", "Class weighting")),
    "DEVICE": ("device", DEVICES, QT_TRANSLATE_NOOP("TrainAlgorithm", "Device")),
}
INTEGER, DOUBLE = QgsProcessingParameterNumber.Integer, QgsProcessingParameterNumber.Double
NUMBERS = {  # parameter: setting, type, minimum, label
    "EPOCHS": ("epochs", INTEGER, 1, QT_TRANSLATE_NOOP("TrainAlgorithm", "Epochs")),
    "BATCH_SIZE": ("batch_size", INTEGER, 1, QT_TRANSLATE_NOOP("TrainAlgorithm", "Batch size")),
    "TILE_SIZE": ("tile_size", INTEGER, 32, QT_TRANSLATE_NOOP("TrainAlgorithm", "Tile size (pixels)")),
    "STRIDE": ("stride", INTEGER, 0, QT_TRANSLATE_NOOP("TrainAlgorithm", "Stride (pixels, 0: the tile size)")),
    "LEARNING_RATE": ("learning_rate", DOUBLE, 0.0, QT_TRANSLATE_NOOP("TrainAlgorithm", "Learning rate")),
    "SEED": ("seed", INTEGER, 0, QT_TRANSLATE_NOOP("TrainAlgorithm", "Random seed")),
    "BLOCK_TILES": ("block_tiles", INTEGER, 1, QT_TRANSLATE_NOOP("TrainAlgorithm", "Split block side (tiles)")),
}


LABELS = {  # parameter: label (collected for translation by pylupdate5 through QT_TRANSLATE_NOOP)
    "RASTER": QT_TRANSLATE_NOOP("TrainAlgorithm", "Raster"),
    "LABELS": QT_TRANSLATE_NOOP("TrainAlgorithm", "Labels (polygons or class raster)"),
    "CLASS_FIELD": QT_TRANSLATE_NOOP("TrainAlgorithm", "Class field"),
    "CLASSES": QT_TRANSLATE_NOOP("TrainAlgorithm", "Class table (JSON)"),
    "LOSS": QT_TRANSLATE_NOOP("TrainAlgorithm", "Loss (empty: the mode's default)"),
    "LOSS_PARAMS": QT_TRANSLATE_NOOP("TrainAlgorithm", "Loss parameters (JSON)"),
    "ENCODER": QT_TRANSLATE_NOOP("TrainAlgorithm", "Encoder"),
    "AOI": QT_TRANSLATE_NOOP("TrainAlgorithm", "Training area"),
    "VALIDATION_AREA": QT_TRANSLATE_NOOP("TrainAlgorithm", "Validation area"),
    "RUN_CONFIG": QT_TRANSLATE_NOOP("TrainAlgorithm", "Run JSON exported from the dock"),
    "RESUME": QT_TRANSLATE_NOOP("TrainAlgorithm", "Resume from the checkpoint"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


class TrainAlgorithm(WorkerAlgorithm):
    def name(self) -> str:
        return "train"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr("Train model")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr(
            "Trains a segmentation network on a raster and its labels (polygons with a class field, or a "
            "class raster) in the plugin's worker process, and writes a model folder that Predict uses. "
            "The loss and its parameters are those of the dock's Loss tab; LOSS_PARAMS is JSON, e.g. "
            '{"gamma": 2.0}. A run JSON exported from the dock may replace every other setting.'
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: N802, ARG002 (QGIS API)
        self.add_training_parameters(single_run=True)
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT_DIR", self.tr("Model folder")))
        self.addOutput(QgsProcessingOutputNumber("BEST_MIOU", self.tr("Best validation mIoU")))

    def add_training_parameters(self, single_run: bool) -> None:
        """The dock's data, model and training settings; the loss and resume only for a single run
        (a comparison sets the loss per configuration)."""
        d = DEFAULTS
        self.addParameter(QgsProcessingParameterRasterLayer("RASTER", _tr(LABELS["RASTER"])))
        self.addParameter(
            QgsProcessingParameterMapLayer(
                "LABELS",
                _tr(LABELS["LABELS"]),
                types=[QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeRaster],
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                "CLASS_FIELD", _tr(LABELS["CLASS_FIELD"]), parentLayerParameterName="LABELS", optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFile("CLASSES", _tr(LABELS["CLASSES"]), extension="json", optional=True)
        )
        for key, (name, values, label) in ENUMS.items():
            self.addParameter(
                QgsProcessingParameterEnum(key, _tr(label), list(values), defaultValue=values.index(getattr(d, name)))
            )
        if single_run:
            self.addParameter(QgsProcessingParameterString("LOSS", _tr(LABELS["LOSS"]), optional=True))
            self.addParameter(QgsProcessingParameterString("LOSS_PARAMS", _tr(LABELS["LOSS_PARAMS"]), optional=True))
        self.addParameter(QgsProcessingParameterString("ENCODER", _tr(LABELS["ENCODER"]), defaultValue=d.encoder))
        for key, (name, kind, minimum, label) in NUMBERS.items():
            default = getattr(d, name) if name != "stride" else 0
            self.addParameter(QgsProcessingParameterNumber(key, _tr(label), kind, default, minValue=minimum))
        for key, label in (("AOI", _tr(LABELS["AOI"])), ("VALIDATION_AREA", _tr(LABELS["VALIDATION_AREA"]))):
            self.addParameter(
                QgsProcessingParameterVectorLayer(key, label, [QgsProcessing.TypeVectorPolygon], optional=True)
            )
        self.addParameter(
            QgsProcessingParameterFile("RUN_CONFIG", _tr(LABELS["RUN_CONFIG"]), extension="json", optional=True)
        )
        if single_run:
            self.addParameter(QgsProcessingParameterBoolean("RESUME", _tr(LABELS["RESUME"]), defaultValue=False))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS API)
        output = self.parameterAsString(parameters, "OUTPUT_DIR", context)
        try:
            config = self.training_config(parameters, context, output)
        except UserError as exc:
            raise QgsProcessingException(str(exc)) from None
        run_file = save_config(config, Path(output) / "run.json")
        result = self.run_worker(["train", "--config", str(run_file)], feedback)
        return {"OUTPUT_DIR": result["model_dir"], "BEST_MIOU": result.get("best_miou")}

    def training_config(self, parameters, context, output: str) -> TrainConfig:
        """The run's settings from the parameters, or from the run JSON when one is given."""
        run_config = self.parameterAsFile(parameters, "RUN_CONFIG", context)
        if run_config:
            values = config_to_dict(load_config(TrainConfig, run_config))
            values["output_dir"] = output
            return TrainConfig(**values)
        raster, _ = layer_file(self.parameterAsRasterLayer(parameters, "RASTER", context))
        labels_layer = self.parameterAsLayer(parameters, "LABELS", context)
        labels, label_layer = layer_file(labels_layer)
        is_vector = isinstance(labels_layer, QgsVectorLayer)
        values = {
            "raster": raster,
            "labels": labels,
            "label_layer": label_layer if is_vector else None,
            "class_field": (self.parameterAsString(parameters, "CLASS_FIELD", context) or None) if is_vector else None,
            "output_dir": output,
            "encoder": self.parameterAsString(parameters, "ENCODER", context),
        }
        if self.parameterDefinition("LOSS") is not None:  # Train model; Compare losses sets the loss per run
            values["loss"] = self.parameterAsString(parameters, "LOSS", context)
            values["loss_params"] = (
                _json(self.parameterAsString(parameters, "LOSS_PARAMS", context), "LOSS_PARAMS") or {}
            )
            values["resume"] = self.parameterAsBoolean(parameters, "RESUME", context)
        classes = self.parameterAsFile(parameters, "CLASSES", context)
        if classes:
            values["classes"] = _json(Path(classes).read_text(encoding="utf-8"), "CLASSES")
        for key, (name, options, _) in ENUMS.items():
            values[name] = options[self.parameterAsEnum(parameters, key, context)]
        for key, (name, kind, _, _) in NUMBERS.items():
            read = self.parameterAsInt if kind == QgsProcessingParameterNumber.Integer else self.parameterAsDouble
            values[name] = read(parameters, key, context)
        for key, name in (("AOI", "aoi"), ("VALIDATION_AREA", "validation_area")):
            layer = self.parameterAsVectorLayer(parameters, key, context)
            if layer is not None:
                values[name], values[f"{name}_layer"] = layer_file(layer)
        return TrainConfig(**values)


def _json(text: str, parameter: str):
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{parameter} is not valid JSON: {exc}") from None
