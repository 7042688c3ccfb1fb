"""The "Segmentation Trainer" Processing provider."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .assess import AssessAlgorithm
from .compare import CompareAlgorithm
from .export_onnx import ExportOnnxAlgorithm
from .predict import PredictAlgorithm
from .sample import SampleAlgorithm
from .train import TrainAlgorithm

ICON = Path(__file__).resolve().parent.parent / "icon.svg"
VECTOR_FORMAT = "gpkg"


class SegmentationTrainerProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "segmentation_trainer"

    def name(self) -> str:
        return "Segmentation Trainer"

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def loadAlgorithms(self) -> None:  # noqa: N802 (QGIS API)
        algorithms = (
            TrainAlgorithm(),
            PredictAlgorithm(),
            CompareAlgorithm(),
            ExportOnnxAlgorithm(),
            SampleAlgorithm(),
            AssessAlgorithm(),
        )
        for algorithm in algorithms:
            self.addAlgorithm(algorithm)

    def defaultVectorFileExtension(self, hasGeometry: bool = True) -> str:  # noqa: N802, N803, ARG002 (QGIS API)
        return VECTOR_FORMAT

    def supportedOutputVectorLayerExtensions(self) -> list[str]:  # noqa: N802 (QGIS API)
        """The sample points are written by the worker, as a GeoPackage."""
        return [VECTOR_FORMAT]
