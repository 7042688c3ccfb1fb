"""Processing algorithm "Compare losses": the dock's Compare losses tab as parameters."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from ..core.config import (
    ARCHITECTURES,
    STUDY_BASELINE,
    CompareConfig,
    configurations_from_text,
    save_config,
)
from ..core.errors import UserError
from ..losses.presets import LOSS_PRESETS
from .train import TrainAlgorithm


class CompareAlgorithm(TrainAlgorithm):
    """Trains the same data once per loss configuration and writes the comparison's report."""

    def name(self) -> str:
        return "compare"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr("Compare losses")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr(
            "Trains the raster and labels once per loss configuration, with identical tiles, split, seed and "
            "epochs, and writes a report (HTML, CSV, JSON): the study's tables, per-class IoU, a Wilcoxon "
            "test of per-tile IoU and a recommendation. LOSSES lists study presets (equal, ce_dominant, "
            "dice_dominant, focal_dominant, ce_only, dice_only, focal_only) and loss names, comma-separated. "
            "Finished runs in the report folder are reused."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: N802, ARG002 (QGIS API)
        self.add_training_parameters(single_run=False)
        self.addParameter(
            QgsProcessingParameterString("LOSSES", self.tr("Loss configurations"), defaultValue=",".join(LOSS_PRESETS))
        )
        self.addParameter(QgsProcessingParameterString("BASELINE", self.tr("Baseline"), defaultValue=STUDY_BASELINE))
        self.addParameter(
            QgsProcessingParameterEnum(
                "SECOND_ARCHITECTURE",
                self.tr("Second architecture for the best configuration"),
                [self.tr("None"), *ARCHITECTURES],
                defaultValue=0,
            )
        )
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT_DIR", self.tr("Report folder")))
        self.addOutput(QgsProcessingOutputFile("REPORT", self.tr("Report (HTML)")))
        self.addOutput(QgsProcessingOutputFile("BEST_RUN", self.tr("Training settings with the best loss (JSON)")))
        self.addOutput(QgsProcessingOutputString("BEST_CONFIGURATION", self.tr("Best configuration")))
        self.addOutput(QgsProcessingOutputNumber("BEST_MIOU", self.tr("Best validation mIoU")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS API)
        output = self.parameterAsString(parameters, "OUTPUT_DIR", context)
        try:
            train = self.training_config(parameters, context, output)
            losses = self.parameterAsString(parameters, "LOSSES", context)
            second = self.parameterAsEnum(parameters, "SECOND_ARCHITECTURE", context)
            config = CompareConfig(
                train,
                configurations_from_text(losses, train.mode),
                baseline=self.parameterAsString(parameters, "BASELINE", context).strip(),
                second_architecture=ARCHITECTURES[second - 1] if second else None,
            )
        except UserError as exc:
            raise QgsProcessingException(str(exc)) from None
        run_file = save_config(config, Path(output) / "compare.json")
        result = self.run_worker(["compare", "--config", str(run_file)], feedback)
        feedback.pushInfo(result["recommendation"])
        return {
            "OUTPUT_DIR": output,
            "REPORT": result["report"],
            "BEST_RUN": result["best_run"],
            "BEST_CONFIGURATION": result["best"],
            "BEST_MIOU": result["best_miou"],
        }
