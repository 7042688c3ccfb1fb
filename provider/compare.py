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
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core.config import (
    ARCHITECTURES,
    MAX_RUNS,
    STUDY_BASELINE,
    CompareConfig,
    configurations_from_text,
    default_of,
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
            "Trains the raster and labels RUNS times (seeds) per loss configuration, with identical tiles, split "
            "and epochs. The best configuration is chosen on the validation blocks; the verdict is computed on "
            "held-out test blocks (TEST_FRACTION of the spatial blocks) that neither training nor the choice "
            "used: test mIoU with 95 % intervals that include training variance, differences with Holm-adjusted "
            "p-values and the smallest difference the data could detect. The report (HTML, CSV, JSON) also has "
            "the study's tables and per-class IoU. LOSSES lists study presets (equal, ce_dominant, "
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
        self.addParameter(
            QgsProcessingParameterNumber(
                "RUNS",
                self.tr("Training runs (seeds) per configuration"),
                QgsProcessingParameterNumber.Integer,
                default_of(CompareConfig, "runs"),
                minValue=1,
                maxValue=MAX_RUNS,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "TEST_FRACTION",
                self.tr("Share of spatial blocks held out as the test set"),
                QgsProcessingParameterNumber.Double,
                default_of(CompareConfig, "test_fraction"),
                minValue=0.05,
                maxValue=0.6,
            )
        )
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT_DIR", self.tr("Report folder")))
        self.addOutput(QgsProcessingOutputFile("REPORT", self.tr("Report (HTML)")))
        self.addOutput(QgsProcessingOutputFile("BEST_RUN", self.tr("Training settings with the best loss (JSON)")))
        self.addOutput(QgsProcessingOutputString("BEST_CONFIGURATION", self.tr("Best configuration")))
        self.addOutput(QgsProcessingOutputNumber("BEST_MIOU", self.tr("Test mIoU of the best configuration")))

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
                runs=self.parameterAsInt(parameters, "RUNS", context),
                test_fraction=self.parameterAsDouble(parameters, "TEST_FRACTION", context),
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
