"""Processing algorithm "Assess accuracy": a class raster (a prediction) compared with reference data the model
never saw; the error matrix, the accuracies and the class areas with 95 % confidence intervals, in a report."""

from __future__ import annotations

from qgis.core import QgsProcessingException, QgsProcessingOutputFile, QgsProcessingOutputNumber

from ..core.common.config import AssessConfig, config_from_dict
from ..core.common.errors import UserError
from ..core.common.schema import settings_of
from . import parameters as params
from .worker_algorithm import WorkerAlgorithm

SETTINGS = list(settings_of(AssessConfig).values())


class AssessAlgorithm(WorkerAlgorithm):
    def name(self) -> str:
        return "assess"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr("Assess accuracy")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr(
            "Compares a class raster (a prediction) with reference data the model never saw: points or polygons with "
            "a class field (values or names), or a class raster, reprojected onto the raster's grid. Writes the "
            "error matrix (CSV), every figure (JSON) and an HTML report: overall accuracy, Cohen's kappa, user's and "
            "producer's accuracy, F1 and IoU per class, and, weighted by the mapped class areas (Olofsson et al. "
            "2014), the accuracies and the area of each class with 95 % confidence intervals."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: N802, ARG002 (QGIS API)
        for parameter in params.parameters(SETTINGS):
            self.addParameter(parameter)
        self.addOutput(QgsProcessingOutputFile("REPORT", self.tr("Report (HTML)")))
        self.addOutput(QgsProcessingOutputFile("MATRIX", self.tr("Error matrix (CSV)")))
        self.addOutput(QgsProcessingOutputNumber("OVERALL_ACCURACY", self.tr("Overall accuracy")))
        self.addOutput(QgsProcessingOutputNumber("KAPPA", self.tr("Cohen's kappa")))
        self.addOutput(
            QgsProcessingOutputNumber("WEIGHTED_OVERALL_ACCURACY", self.tr("Overall accuracy weighted by area"))
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS API)
        try:
            config = config_from_dict(AssessConfig, params.values(self, SETTINGS, parameters, context))
        except UserError as exc:
            raise QgsProcessingException(str(exc)) from None
        result = self.run_worker(["assess"], feedback, config)
        return {
            "OUTPUT_DIR": config.output_dir,
            "REPORT": result["report"],
            "MATRIX": result["matrix"],
            "OVERALL_ACCURACY": result["overall_accuracy"],
            "KAPPA": result["kappa"],
            "WEIGHTED_OVERALL_ACCURACY": result["weighted_overall_accuracy"],
        }
