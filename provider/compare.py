"""Processing algorithm "Compare losses": the training settings plus the comparison's, derived from
the settings' declarations; the configurations as a comma-separated list."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.common.config import CompareConfig, TrainConfig, config_from_dict, configurations_from_text, save_config
from ..core.common.errors import UserError
from ..core.common.files import COMPARE_FILE
from ..core.common.schema import Setting, settings_of
from ..losses.presets import LOSS_PRESETS
from . import parameters as params
from .train import TrainAlgorithm

LOSSES_LABEL = QT_TRANSLATE_NOOP("settings", "Loss configurations")


class CompareAlgorithm(TrainAlgorithm):
    """Trains the same data once per loss configuration and writes the comparison's report."""

    def name(self) -> str:
        return "compare"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr("Compare losses")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr(
            "Trains the raster and labels RUNS times (seeds) per loss configuration, with identical tiles, split "
            "and epochs. The best configuration is chosen on the validation blocks; the verdict is computed on "
            "held-out test blocks (TEST_FRACTION of the spatial blocks) that neither training nor the choice "
            "used: test mIoU with 95 % intervals that include training variance, differences with Holm-adjusted "
            "p-values and the smallest difference the data could detect. The report (HTML, CSV, JSON) also has "
            "the study's tables and per-class IoU. LOSSES lists study presets (equal, ce_dominant, "
            "dice_dominant, focal_dominant, ce_only, dice_only, focal_only) and loss names, comma-separated. "
            "Finished runs in the report folder are reused."
        )

    def training_settings(self) -> list[Setting]:
        return [s for s in super().training_settings() if s.in_comparison]

    def initAlgorithm(self, config=None) -> None:  # noqa: N802, ARG002 (QGIS API)
        for parameter in params.parameters([s for s in self.training_settings() if s.name != "output_dir"]):
            self.addParameter(parameter)
        self.add_run_config_parameter()
        self.addParameter(
            QgsProcessingParameterString("LOSSES", params.tr(LOSSES_LABEL), defaultValue=",".join(LOSS_PRESETS))
        )
        for parameter in params.parameters(list(settings_of(CompareConfig).values())):
            self.addParameter(parameter)
        report = QgsProcessingParameterFolderDestination("OUTPUT_DIR", self.tr("Report folder"))
        report.setHelp(params.tr(settings_of(TrainConfig)["output_dir"].help))
        self.addParameter(report)
        self.addOutput(QgsProcessingOutputFile("REPORT", self.tr("Report (HTML)")))
        self.addOutput(QgsProcessingOutputFile("BEST_RUN", self.tr("Training settings with the best loss (JSON)")))
        self.addOutput(QgsProcessingOutputString("BEST_CONFIGURATION", self.tr("Best configuration")))
        self.addOutput(QgsProcessingOutputNumber("BEST_MIOU", self.tr("Test mIoU of the best configuration")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS API)
        output = self.parameterAsString(parameters, "OUTPUT_DIR", context)
        try:
            train = self.training_config(parameters, context, output)
            values = params.values(self, list(settings_of(CompareConfig).values()), parameters, context)
            losses = self.parameterAsString(parameters, "LOSSES", context)
            values |= {"train": train, "configurations": configurations_from_text(losses, train.mode)}
            config = config_from_dict(CompareConfig, values)
        except UserError as exc:
            raise QgsProcessingException(str(exc)) from None
        run_file = save_config(config, Path(output) / COMPARE_FILE)
        result = self.run_worker(["compare", "--config", str(run_file)], feedback)
        feedback.pushInfo(result["recommendation"])
        return {
            "OUTPUT_DIR": output,
            "REPORT": result["report"],
            "BEST_RUN": result["best_run"],
            "BEST_CONFIGURATION": result["best"],
            "BEST_MIOU": result["best_miou"],
        }
