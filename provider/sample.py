"""Processing algorithm "Sample reference points": a stratified random sample of a class raster's pixels, the
strata being its classes, written as points with an empty reference field to fill in, for "Assess accuracy"."""

from __future__ import annotations

from qgis.core import QgsProcessingException, QgsProcessingOutputNumber

from ..core.common.config import SampleConfig, config_from_dict
from ..core.common.errors import UserError
from ..core.common.schema import settings_of
from . import parameters as params
from .worker_algorithm import WorkerAlgorithm

SETTINGS = list(settings_of(SampleConfig).values())


class SampleAlgorithm(WorkerAlgorithm):
    def name(self) -> str:
        return "sample"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr("Sample reference points")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr(
            "Draws a stratified random sample of points in a class raster (a prediction), its classes being the "
            "strata, for an accuracy assessment. The number of points gives the overall accuracy the target standard "
            "error, from the user's accuracy expected of each class (Olofsson et al. 2014); each class gets at least "
            "the minimum, the rest follows the classes' areas. The points have an empty reference field: fill in "
            "the true class of each (name or value), then run Assess accuracy with them."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: N802, ARG002 (QGIS API)
        for parameter in params.parameters(SETTINGS):
            self.addParameter(parameter)
        self.addOutput(QgsProcessingOutputNumber("POINTS", self.tr("Number of points")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS API)
        try:
            config = config_from_dict(SampleConfig, params.values(self, SETTINGS, parameters, context))
        except UserError as exc:
            raise QgsProcessingException(str(exc)) from None
        result = self.run_worker(["sample"], feedback, config)
        return {"OUTPUT": result["sample"], "POINTS": result["points"]}
