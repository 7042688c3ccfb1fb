"""Processing algorithm "Predict": a model folder applied to a raster, optionally on an extent or
inside polygons; the class raster (styled by its ``.qml``), confidence and polygons as outputs."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputRasterLayer,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorLayer,
)

from ..core.config import PredictConfig
from ..core.errors import UserError
from ..tasks.layers import export_polygons, layer_file
from .worker_algorithm import WorkerAlgorithm

DEFAULTS = PredictConfig(model_dir="", raster="", output="")


class PredictAlgorithm(WorkerAlgorithm):
    def name(self) -> str:
        return "predict"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr("Predict")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return self.tr(
            "Predicts a class raster with a model folder written by Train model (or the dock): on the whole "
            "raster, on an extent, and/or inside polygons (outside is nodata). Overlapping tiles are blended "
            "so that no seam shows. Optional outputs: a confidence raster and class polygons."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: N802, ARG002 (QGIS API)
        self.addParameter(
            QgsProcessingParameterFile("MODEL", self.tr("Model folder"), behavior=QgsProcessingParameterFile.Folder)
        )
        self.addParameter(QgsProcessingParameterRasterLayer("RASTER", self.tr("Raster")))
        self.addParameter(
            QgsProcessingParameterExtent("EXTENT", self.tr("Extent (empty: whole raster)"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                "MASK", self.tr("Only inside polygons"), [QgsProcessing.TypeVectorPolygon], optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "OVERLAP",
                self.tr("Tile overlap (share of a tile)"),
                QgsProcessingParameterNumber.Double,
                DEFAULTS.overlap,
                minValue=0.0,
                maxValue=0.9,
            )
        )
        self.addParameter(QgsProcessingParameterBoolean("CONFIDENCE", self.tr("Confidence raster"), defaultValue=False))
        self.addParameter(QgsProcessingParameterBoolean("VECTORIZE", self.tr("Class polygons"), defaultValue=False))
        self.addParameter(
            QgsProcessingParameterNumber(
                "SIMPLIFY",
                self.tr("Polygon simplification tolerance"),
                QgsProcessingParameterNumber.Double,
                0.0,
                minValue=0.0,
            )
        )
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", self.tr("Prediction")))
        self.addOutput(QgsProcessingOutputRasterLayer("CONFIDENCE_OUTPUT", self.tr("Confidence")))
        self.addOutput(QgsProcessingOutputVectorLayer("POLYGONS", self.tr("Class polygons")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS API)
        output = Path(self.parameterAsOutputLayer(parameters, "OUTPUT", context))
        raster_layer = self.parameterAsRasterLayer(parameters, "RASTER", context)
        try:
            raster, _ = layer_file(raster_layer)
            args = [
                "predict",
                "--model",
                self.parameterAsFile(parameters, "MODEL", context),
                "--raster",
                raster,
                "--output",
                str(output),
                "--overlap",
                repr(self.parameterAsDouble(parameters, "OVERLAP", context)),
            ]
            if parameters.get("EXTENT"):
                extent = self.parameterAsExtent(parameters, "EXTENT", context, raster_layer.crs())
                values = (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
                args.append("--extent=" + ",".join(repr(v) for v in values))
            mask = self.parameterAsVectorLayer(parameters, "MASK", context)
            if mask is not None:
                args += ["--mask", export_polygons(mask, False, output.with_name(output.stem + "_mask.gpkg"))]
        except UserError as exc:
            raise QgsProcessingException(str(exc)) from None
        if self.parameterAsBoolean(parameters, "CONFIDENCE", context):
            args.append("--confidence")
        if self.parameterAsBoolean(parameters, "VECTORIZE", context):
            args += ["--vectorize", "--simplify", repr(self.parameterAsDouble(parameters, "SIMPLIFY", context))]
        result = self.run_worker(args, feedback)
        if result.get("areas_ha"):
            feedback.pushInfo(", ".join(f"{name} {area:,.1f} ha" for name, area in result["areas_ha"].items()))
        return {
            "OUTPUT": result["prediction"],
            "CONFIDENCE_OUTPUT": result.get("confidence"),
            "POLYGONS": result.get("polygons"),
        }
