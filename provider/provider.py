"""The "Segmentation Trainer" Processing provider."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .compare import CompareAlgorithm
from .export_onnx import ExportOnnxAlgorithm
from .predict import PredictAlgorithm
from .train import TrainAlgorithm

ICON = Path(__file__).resolve().parent.parent / "icon.svg"


class SegmentationTrainerProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "segmentation_trainer"

    def name(self) -> str:
        return "Segmentation Trainer"

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def loadAlgorithms(self) -> None:  # noqa: N802 (QGIS API)
        for algorithm in (TrainAlgorithm(), PredictAlgorithm(), CompareAlgorithm(), ExportOnnxAlgorithm()):
            self.addAlgorithm(algorithm)
