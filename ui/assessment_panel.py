"""The Assess tab's logic: the sample's settings, the reference layer and its field, and the figures shown.

Works on the widgets of ``dock.ui`` (``assessRasterCombo``, ``sampleForm``, ``sampleAdvancedForm``,
``referenceCombo``, ``referenceFieldCombo``, ``assessResultLabel``); builds the same ``SampleConfig`` and
``AssessConfig`` as ``python -m segmentation_trainer sample`` and ``assess``. The sample points go beside the class
raster, each assessment into a new folder beside it. No torch.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from qgis.core import QgsMapLayerProxyModel, QgsVectorLayer
from qgis.PyQt.QtCore import QObject

from ..core.common.config import AssessConfig, SampleConfig
from ..core.common.errors import UserError
from ..core.common.schema import CLASS_TABLE, settings_of
from ..tasks.layers import layer_file
from .settings_form import SettingsForm

SAMPLE_INPUTS = ("prediction", "output")
"""Sample settings the tab takes from its own widgets (the class raster; the points go beside it)."""


class AssessmentPanel(QObject):
    """The Assess tab: its setting widgets (``forms``) and the configs of its two runs."""

    def __init__(self, ui) -> None:
        super().__init__(ui)
        self.ui = ui
        ui.assessRasterCombo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        ui.referenceCombo.setFilters(
            QgsMapLayerProxyModel.PointLayer | QgsMapLayerProxyModel.PolygonLayer | QgsMapLayerProxyModel.RasterLayer
        )
        ui.referenceCombo.setAllowEmptyLayer(True)
        ui.referenceCombo.setLayer(None)
        ui.referenceCombo.layerChanged.connect(self._on_reference_changed)
        self._on_reference_changed(None)
        declared = settings_of(SampleConfig).values()
        settings = [s for s in declared if s.name not in SAMPLE_INPUTS and s.source != CLASS_TABLE]
        self.forms = [
            SettingsForm(ui.sampleForm, [s for s in settings if not s.advanced], prefix="sample"),
            SettingsForm(ui.sampleAdvancedForm, [s for s in settings if s.advanced], prefix="sample"),
        ]

    def _on_reference_changed(self, layer) -> None:
        is_vector = isinstance(layer, QgsVectorLayer)
        self.ui.referenceFieldCombo.setLayer(layer if is_vector else None)
        self.ui.referenceFieldCombo.setEnabled(is_vector)

    def _prediction(self) -> str:
        raster = self.ui.assessRasterCombo.currentLayer()
        if raster is None:
            raise UserError(self.tr("Choose the class raster to assess first."))
        return layer_file(raster)[0]

    def sample_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for form in self.forms:
            values |= form.values()
        return values

    def sample_config(self) -> SampleConfig:
        """The sample's settings: the points go beside the class raster, in a new file."""
        prediction = Path(self._prediction())
        output = prediction.with_name(f"{prediction.stem}_sample_{time.strftime('%Y%m%d_%H%M%S')}.gpkg")
        return SampleConfig(prediction=str(prediction), output=str(output), **self.sample_values())

    def assess_config(self) -> AssessConfig:
        """The assessment's settings: the report goes into a new folder beside the class raster."""
        prediction = Path(self._prediction())
        reference = self.ui.referenceCombo.currentLayer()
        if reference is None:
            raise UserError(self.tr("Choose the reference data: points or polygons with a class field, or a raster."))
        path, layer = layer_file(reference)
        is_vector = isinstance(reference, QgsVectorLayer)
        folder = prediction.with_name(f"{prediction.stem}_assessment_{time.strftime('%Y%m%d_%H%M%S')}")
        return AssessConfig(
            prediction=str(prediction),
            reference=path,
            reference_layer=layer if is_vector else None,
            reference_field=(self.ui.referenceFieldCombo.currentField() or None) if is_vector else None,
            output_dir=str(folder),
        )

    def use_reference(self, layer, field: str) -> None:
        """Assess next against ``layer``'s ``field`` (the sample points just drawn)."""
        self.ui.referenceCombo.setLayer(layer)
        self.ui.referenceFieldCombo.setField(field)

    def show_result(self, result: dict[str, Any]) -> None:
        """The key figures of an assessment (the worker's result)."""
        text = self.tr("Overall accuracy {0:.3f}, kappa {1} ({2} reference units).").format(
            result["overall_accuracy"], _figure(result["kappa"]), result["units"]
        )
        weighted = result.get("weighted_overall_accuracy")
        if weighted is not None:
            text += " " + self.tr("Weighted by the class areas: {0:.3f} ± {1:.3f} (95 %).").format(
                weighted, result["weighted_overall_accuracy_ci"]
            )
        self.ui.assessResultLabel.setText(text)

    def state(self) -> dict[str, Any]:
        return {"sample": self.sample_values(), "reference_field": self.ui.referenceFieldCombo.currentField()}

    def set_state(self, state: dict[str, Any]) -> None:
        for form in self.forms:
            form.set_values(state.get("sample") or {})
        if state.get("reference_field"):
            self.ui.referenceFieldCombo.setField(state["reference_field"])


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
