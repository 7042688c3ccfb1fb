"""Processing algorithm "Export to ONNX (Deepness)": a model folder written as one ONNX file that the Deepness
plugin and ONNX Runtime run; every export setting as a parameter, derived from the settings' declarations."""

from __future__ import annotations

from qgis.core import QgsProcessingException

from ..core.common.config import ExportConfig, config_from_dict
from ..core.common.errors import UserError
from ..core.common.schema import settings_of
from . import parameters as params
from .worker_algorithm import WorkerAlgorithm

SETTINGS = list(settings_of(ExportConfig).values())


class ExportOnnxAlgorithm(WorkerAlgorithm):
    def name(self) -> str:
        return "export_onnx"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr("Export to ONNX (Deepness)")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr(
            "Writes a model folder written by Train model as one ONNX file that the Deepness plugin (and ONNX "
            "Runtime, and Predict) runs: its normalization is inside, its input is the raster's band values "
            "divided by 255 as Deepness feeds them, its output the class probabilities. The file carries the "
            "metadata Deepness reads: class names, resolution, tile size and overlap. TILE_SIZE is the side of the "
            "tiles Deepness cuts; OUTPUT empty writes model.onnx in the model folder."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: N802, ARG002 (QGIS API)
        for parameter in params.parameters(SETTINGS):
            self.addParameter(parameter)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS API)
        try:
            config = config_from_dict(ExportConfig, params.values(self, SETTINGS, parameters, context))
        except UserError as exc:
            raise QgsProcessingException(str(exc)) from None
        return {"OUTPUT": self.run_worker(["export-onnx"], feedback, config)["onnx"]}
