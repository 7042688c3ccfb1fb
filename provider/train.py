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

from ..core.config import (
    ARCHITECTURES,
    AUGMENTATIONS,
    CLASS_WEIGHTINGS,
    MODES,
    TrainConfig,
    config_to_dict,
    load_config,
)
from ..core.errors import UserError
from ..tasks.layers import layer_file
from .worker_algorithm import WorkerAlgorithm

DEFAULTS = TrainConfig(raster="", labels="", output_dir="")
DEVICES = ("auto", "cpu", "cuda")
ENUMS = {
    "MODE": ("mode", MODES),
    "ARCHITECTURE": ("architecture", ARCHITECTURES),
    "AUGMENTATION": ("augmentation", AUGMENTATIONS),
    "CLASS_WEIGHTING": ("class_weighting", CLASS_WEIGHTINGS),
    "DEVICE": ("device", DEVICES),
}
NUMBERS = {
    "EPOCHS": ("epochs", QgsProcessingParameterNumber.Integer, 1),
    "BATCH_SIZE": ("batch_size", QgsProcessingParameterNumber.Integer, 1),
    "TILE_SIZE": ("tile_size", QgsProcessingParameterNumber.Integer, 32),
    "STRIDE": ("stride", QgsProcessingParameterNumber.Integer, 0),
    "LEARNING_RATE": ("learning_rate", QgsProcessingParameterNumber.Double, 0.0),
    "SEED": ("seed", QgsProcessingParameterNumber.Integer, 0),
}


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
        d = DEFAULTS
        self.addParameter(QgsProcessingParameterRasterLayer("RASTER", self.tr("Raster")))
        self.addParameter(
            QgsProcessingParameterMapLayer(
                "LABELS",
                self.tr("Labels (polygons or class raster)"),
                types=[QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeRaster],
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                "CLASS_FIELD", self.tr("Class field"), parentLayerParameterName="LABELS", optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFile("CLASSES", self.tr("Class table (JSON)"), extension="json", optional=True)
        )
        for key, (name, values) in ENUMS.items():
            self.addParameter(
                QgsProcessingParameterEnum(
                    key,
                    self.tr(name.replace("_", " ").capitalize()),
                    list(values),
                    defaultValue=values.index(getattr(d, name)),
                )
            )
        self.addParameter(
            QgsProcessingParameterString("LOSS", self.tr("Loss (empty: the mode's default)"), optional=True)
        )
        self.addParameter(QgsProcessingParameterString("LOSS_PARAMS", self.tr("Loss parameters (JSON)"), optional=True))
        self.addParameter(QgsProcessingParameterString("ENCODER", self.tr("Encoder"), defaultValue=d.encoder))
        for key, (name, kind, minimum) in NUMBERS.items():
            self.addParameter(
                QgsProcessingParameterNumber(
                    key,
                    self.tr(name.replace("_", " ").capitalize()),
                    kind,
                    getattr(d, name) if name != "stride" else 0,
                    minValue=minimum,
                )
            )
        for key, label in (("AOI", self.tr("Training area")), ("VALIDATION_AREA", self.tr("Validation area"))):
            self.addParameter(
                QgsProcessingParameterVectorLayer(key, label, [QgsProcessing.TypeVectorPolygon], optional=True)
            )
        self.addParameter(
            QgsProcessingParameterFile(
                "RUN_CONFIG", self.tr("Run JSON exported from the dock"), extension="json", optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean("RESUME", self.tr("Resume from the checkpoint"), defaultValue=False)
        )
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT_DIR", self.tr("Model folder")))
        self.addOutput(QgsProcessingOutputNumber("BEST_MIOU", self.tr("Best validation mIoU")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS API)
        output = self.parameterAsString(parameters, "OUTPUT_DIR", context)
        try:
            config = self._config(parameters, context, output)
        except UserError as exc:
            raise QgsProcessingException(str(exc)) from None
        run_file = Path(output) / "run.json"
        run_file.parent.mkdir(parents=True, exist_ok=True)
        run_file.write_text(json.dumps(config_to_dict(config), indent=2), encoding="utf-8")
        result = self.run_worker(["train", "--config", str(run_file)], feedback)
        return {"OUTPUT_DIR": result["model_dir"], "BEST_MIOU": result.get("best_miou")}

    def _config(self, parameters, context, output: str) -> TrainConfig:
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
            "loss": self.parameterAsString(parameters, "LOSS", context),
            "loss_params": _json(self.parameterAsString(parameters, "LOSS_PARAMS", context), "LOSS_PARAMS") or {},
            "resume": self.parameterAsBoolean(parameters, "RESUME", context),
        }
        classes = self.parameterAsFile(parameters, "CLASSES", context)
        if classes:
            values["classes"] = _json(Path(classes).read_text(encoding="utf-8"), "CLASSES")
        for key, (name, options) in ENUMS.items():
            values[name] = options[self.parameterAsEnum(parameters, key, context)]
        for key, (name, kind, _) in NUMBERS.items():
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
