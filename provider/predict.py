"""Processing algorithm "Predict": a model folder applied to a raster, optionally on an extent or
inside polygons; every prediction setting as a parameter, derived from the settings' declarations.
Outputs: the class raster (styled by its ``.qml``), the confidence and uncertainty rasters and the class
polygons."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingException, QgsProcessingOutputRasterLayer, QgsProcessingOutputVectorLayer

from ..core.common.config import PredictConfig, config_from_dict
from ..core.common.errors import UserError
from ..core.common.schema import settings_of
from ..tasks.layers import export_polygons
from . import parameters as params
from .worker_algorithm import WorkerAlgorithm

SETTINGS = list(settings_of(PredictConfig).values())


class PredictAlgorithm(WorkerAlgorithm):
    def name(self) -> str:
        return "predict"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr("Predict")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr(
            "Predicts a class raster with a model folder written by Train model (or the dock): on the whole "
            "raster, on an extent, and/or inside polygons (outside is nodata). Overlapping tiles are blended "
            "so that no seam shows; test-time augmentation averages flipped or rotated copies of each tile. "
            "Optional outputs: a confidence raster, uncertainty rasters (entropy, top-two margin) and class polygons."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: N802, ARG002 (QGIS API)
        for parameter in params.parameters(SETTINGS):
            self.addParameter(parameter)
        self.addOutput(QgsProcessingOutputRasterLayer("CONFIDENCE_OUTPUT", self.tr("Confidence")))
        self.addOutput(QgsProcessingOutputRasterLayer("ENTROPY_OUTPUT", self.tr("Normalized entropy")))
        self.addOutput(QgsProcessingOutputRasterLayer("MARGIN_OUTPUT", self.tr("Top-two margin")))
        self.addOutput(QgsProcessingOutputVectorLayer("POLYGONS", self.tr("Class polygons")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS API)
        try:
            values = params.values(self, SETTINGS, parameters, context)
            mask = self.parameterAsVectorLayer(parameters, "MASK", context)
            if mask is not None:  # any polygon layer (memory, database…), written to a file beside the output
                output = Path(values["output"])
                values["mask"] = export_polygons(mask, False, output.with_name(output.stem + "_mask.gpkg"))
                values.pop("mask_layer", None)
            config = config_from_dict(PredictConfig, values)
        except UserError as exc:
            raise QgsProcessingException(str(exc)) from None
        (result,) = self.run_worker(["predict"], feedback, config)["predictions"]  # one raster per run (batch mode)
        return {
            "OUTPUT": result["prediction"],
            "CONFIDENCE_OUTPUT": result.get("confidence"),
            "ENTROPY_OUTPUT": result.get("entropy"),
            "MARGIN_OUTPUT": result.get("margin"),
            "POLYGONS": result.get("polygons"),
        }
