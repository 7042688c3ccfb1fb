"""Processing algorithm "Train model": every training setting as a parameter, derived from the
settings' declarations (``provider/parameters.py``)."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingException, QgsProcessingOutputNumber, QgsProcessingParameterFile
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.common.config import TrainConfig, config_from_dict, read_config_json, save_config
from ..core.common.errors import UserError
from ..core.common.files import RUN_FILE
from ..core.common.schema import Setting, settings_of
from . import parameters as params
from .worker_algorithm import WorkerAlgorithm

RUN_CONFIG_LABEL = QT_TRANSLATE_NOOP("settings", "Run JSON exported from the dock (replaces the other settings)")


class TrainAlgorithm(WorkerAlgorithm):
    def name(self) -> str:
        return "train"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr("Train model")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr(
            "Trains a segmentation network on a raster and its labels (polygons with a class field, or a "
            "class raster) in the plugin's worker process, and writes a model folder that Predict uses. "
            "The loss and its parameters are those of the dock's Train tab; LOSS_PARAMS is JSON, e.g. "
            '{"gamma": 2.0}. A run JSON exported from the dock may replace every other setting.'
        )

    def training_settings(self) -> list[Setting]:
        """The training settings this algorithm offers (Compare losses leaves out the per-run ones)."""
        return list(settings_of(TrainConfig).values())

    def initAlgorithm(self, config=None) -> None:  # noqa: N802, ARG002 (QGIS API)
        for parameter in params.parameters(self.training_settings()):
            self.addParameter(parameter)
        self.add_run_config_parameter()
        self.addOutput(QgsProcessingOutputNumber("BEST_MIOU", self.tr("Best validation mIoU")))

    def add_run_config_parameter(self) -> None:
        self.addParameter(
            QgsProcessingParameterFile("RUN_CONFIG", params.tr(RUN_CONFIG_LABEL), extension="json", optional=True)
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS API)
        output = self.parameterAsString(parameters, "OUTPUT_DIR", context)
        try:
            config = self.training_config(parameters, context, output)
        except UserError as exc:
            raise QgsProcessingException(str(exc)) from None
        run_file = save_config(config, Path(output) / RUN_FILE)
        result = self.run_worker(["train", "--config", str(run_file)], feedback)
        return {"OUTPUT_DIR": result["model_dir"], "BEST_MIOU": result.get("best_miou")}

    def training_config(self, parameters, context, output: str) -> TrainConfig:
        """The run's settings from the parameters, or from the run JSON when one is given."""
        run_config = self.parameterAsFile(parameters, "RUN_CONFIG", context)
        if run_config:
            values = read_config_json(run_config)
        else:
            values = params.values(self, self.training_settings(), parameters, context)
        return config_from_dict(TrainConfig, values | {"output_dir": output})
