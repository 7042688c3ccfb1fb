"""The Loss tab's logic: mode, loss list, presets and parameter widgets, all from the loss catalog.

Works on the widgets of ``dock.ui`` (``modeCombo``, ``lossCombo``, ``presetCombo``,
``lossDescription``, ``referencesButton``, ``lossParamsForm``, ``lossHint``); standard-library
catalog only, no torch. Each loss's tooltip gives its full citation; ``referencesButton`` opens
``docs/references.md`` (shipped in the plugin), where every cited work is listed. The catalog's
texts (loss labels, descriptions, parameter labels and help) are shown translated in context
``losses``; identifiers (``ce_weight``) only in tooltips.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from qgis.PyQt.QtCore import QCoreApplication, QObject, Qt, QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QCheckBox, QDoubleSpinBox, QLabel, QSpinBox, QWidget

from ..core.common.config import MODES
from ..core.common.i18n import LOSSES
from ..losses.catalog import (
    DEFAULT_LOSS,
    LossSpec,
    ParamSpec,
    available_losses,
    carried_params,
    convert_loss_name,
    loss_spec,
)
from ..losses.presets import LOSS_PRESETS, PRESET_LABELS

try:  # the catalog's citations by docs/references.md key
    from ..losses.references import CITATIONS
except ImportError:
    CITATIONS: dict[str, str] = {}

CUSTOM = "custom"
WEIGHTS = ("ce_weight", "dice_weight", "focal_weight")
TVERSKY_WEIGHTS = (("alpha", "beta"), ("tversky_alpha", "tversky_beta"))  # false-positive, false-negative weights
REFERENCES_PAGE = Path(__file__).resolve().parent.parent / "docs" / "references.md"


class LossPanel(QObject):
    """Keeps the Loss tab consistent: only the mode's losses, only the chosen loss's parameters."""

    def __init__(self, ui) -> None:
        super().__init__(ui)
        self.ui = ui
        self.widgets: dict[str, QWidget] = {}
        labels = {"binary": self.tr("Binary"), "multiclass": self.tr("Multiclass")}
        for mode in MODES:
            ui.modeCombo.addItem(labels[mode], mode)
        for name in LOSS_PRESETS:
            ui.presetCombo.addItem(translated(PRESET_LABELS[name]), name)
            ui.presetCombo.setItemData(ui.presetCombo.count() - 1, name, Qt.ToolTipRole)
        ui.presetCombo.addItem(self.tr("custom"), CUSTOM)
        ui.modeCombo.setCurrentIndex(MODES.index("multiclass"))
        self._fill_losses("multiclass", DEFAULT_LOSS["multiclass"])
        ui.modeCombo.currentIndexChanged.connect(self._on_mode_changed)
        ui.lossCombo.currentIndexChanged.connect(lambda _: self._show_params({}))
        ui.presetCombo.currentIndexChanged.connect(self._on_preset_changed)
        ui.referencesButton.setEnabled(REFERENCES_PAGE.is_file())
        ui.referencesButton.clicked.connect(self.open_references)
        self._show_params({})

    # --- state --------------------------------------------------------------------------------

    def mode(self) -> str:
        return self.ui.modeCombo.currentData()

    def loss(self) -> str:
        return self.ui.lossCombo.currentData()

    def spec(self) -> LossSpec:
        return loss_spec(self.loss(), self.mode())

    def params(self) -> dict[str, Any]:
        """The chosen loss's parameter values as the dock shows them."""
        return {name: _value(widget) for name, widget in self.widgets.items()}

    def configuration_name(self) -> str:
        """A short name for the current choice: the study preset it matches, else the loss's name."""
        preset = self.ui.presetCombo.currentData()
        return preset if self._has_presets() and preset != CUSTOM else self.loss()

    def set_state(self, mode: str, loss: str, params: dict[str, Any]) -> None:
        """Restore a saved choice (unknown names fall back to the mode's default loss)."""
        self.ui.modeCombo.blockSignals(True)
        self.ui.modeCombo.setCurrentIndex(max(0, self.ui.modeCombo.findData(mode)))
        self.ui.modeCombo.blockSignals(False)
        self._fill_losses(self.mode(), loss)
        self._show_params(params)

    # --- reactions ----------------------------------------------------------------------------

    def _fill_losses(self, mode: str, selected: str) -> None:
        combo = self.ui.lossCombo
        combo.blockSignals(True)
        combo.clear()
        for spec in available_losses(mode):
            combo.addItem(translated(spec.label), spec.name)
            combo.setItemData(combo.count() - 1, self.tooltip(spec), Qt.ToolTipRole)
        index = combo.findData(selected)
        combo.setCurrentIndex(index if index >= 0 else combo.findData(DEFAULT_LOSS[mode]))
        combo.blockSignals(False)

    def tooltip(self, spec: LossSpec) -> str:
        """The loss's tooltip, rich text so that Qt wraps it: description, when to use it, the full
        citation of each work it comes from (one per line), and its identifier."""
        parts = [translated(spec.description), self.suits(spec)]
        works = citations(spec)
        if len(works) == 1:
            parts.append(self.tr("Reference: {0}").format(works[0]))
        elif works:
            parts.append("\n".join([self.tr("References:"), *(f"• {work}" for work in works)]))
        parts.append(self.tr("Identifier: {0}").format(spec.name))
        return "".join(f"<p>{html.escape(part, quote=False)}</p>".replace("\n", "<br>") for part in parts)

    def suits(self, spec: LossSpec) -> str:
        """When to choose the loss, as the description and the tooltip show it."""
        return self.tr("Suits: {0}").format(translated(spec.scenario))

    def open_references(self) -> bool:
        """Open ``docs/references.md`` in the desktop's viewer for Markdown files."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(REFERENCES_PAGE)))

    def _on_mode_changed(self) -> None:
        """Auto-conversion, as in the SemanticSeg4EO plugin (its documentation's "Loss Functions"
        page): the new mode's counterpart of the chosen loss, keeping the values of the parameters
        that mean the same in both (combo's alpha, a scale, is binary_combo's foreground weight: not
        carried)."""
        current, mode = self.ui.lossCombo.currentData(), self.mode()
        if not current:
            self._fill_losses(mode, "")
            return
        previous_mode = next(m for m in MODES if m != mode)
        kept = carried_params(current, previous_mode, self.params(), mode)
        self._fill_losses(mode, convert_loss_name(current, mode))
        self._show_params(kept)

    def _show_params(self, values: dict[str, Any]) -> None:
        """Rebuild the parameter rows for the chosen loss; ``values`` overrides the defaults."""
        form = self.ui.lossParamsForm
        while form.rowCount():
            form.removeRow(0)
        self.widgets.clear()
        spec = self.spec()
        for param in spec.params:
            widget = _editor(param, values.get(param.name, param.default))
            widget.setObjectName(f"param_{param.name}")
            label = QLabel(translated(param.label))
            label.setBuddy(widget)
            for shown in (label, widget):
                shown.setToolTip(f"{translated(param.description)} ({param.name})")
            _changed_signal(widget).connect(self._on_param_edited)
            form.addRow(label, widget)
            self.widgets[param.name] = widget
        self.ui.lossParamsGroup.setVisible(bool(spec.params))
        self.ui.lossDescription.setText(f"{translated(spec.description)}\n{self.suits(spec)}")
        has_presets = self._has_presets()
        self.ui.presetCombo.setVisible(has_presets)
        self.ui.presetComboLabel.setVisible(has_presets)
        if has_presets:
            self._sync_preset()
        self._update_hint()

    def _has_presets(self) -> bool:
        """The chosen loss weighs CE, Dice and Focal: the study's presets apply."""
        return all(name in self.widgets for name in WEIGHTS)

    def _on_preset_changed(self) -> None:
        preset = self.ui.presetCombo.currentData()
        if preset == CUSTOM or not self._has_presets():
            return
        for name, value in LOSS_PRESETS[preset].items():
            self.widgets[name].blockSignals(True)
            self.widgets[name].setValue(value)
            self.widgets[name].blockSignals(False)
        self._update_hint()

    def _on_param_edited(self) -> None:
        if self._has_presets():
            self._sync_preset()
        self._update_hint()

    def _sync_preset(self) -> None:
        """Show the preset the three weights match, or "custom"."""
        weights = {name: self.widgets[name].value() for name in WEIGHTS}
        match = next(
            (n for n, p in LOSS_PRESETS.items() if all(abs(p[k] - weights[k]) < 1e-9 for k in WEIGHTS)), CUSTOM
        )
        combo = self.ui.presetCombo
        combo.blockSignals(True)
        combo.setCurrentIndex(combo.findData(match))
        combo.blockSignals(False)

    def _update_hint(self) -> None:
        """Tversky: α + β = 1 keeps the loss on the Dice scale (α = β = 0.5 is Dice)."""
        hint = ""
        pair = next((p for p in TVERSKY_WEIGHTS if set(p) <= set(self.widgets)), None)
        if "tversky" in self.spec().family and pair:
            total = sum(self.widgets[name].value() for name in pair)
            hint = self.tr("α + β = {0:.2f}. Keep α + β = 1 (α = β = 0.5 is Dice); β > α favours recall.").format(total)
        self.ui.lossHint.setText(hint)
        self.ui.lossHint.setVisible(bool(hint))


def translated(text: str) -> str:
    """A text of the loss catalog (``losses/catalog.py``, ``losses/presets.py``) in the user's language."""
    return QCoreApplication.translate(LOSSES, text)


def citations(spec: LossSpec) -> list[str]:
    """The loss's full citations: one per ``reference_keys`` entry where the catalog gives keys
    (``losses/references.py``), else ``LossSpec.reference`` as it is."""
    keys = tuple(getattr(spec, "reference_keys", ()) or ())
    if keys and all(key in CITATIONS for key in keys):
        return [CITATIONS[key] for key in keys]
    reference = getattr(spec, "reference", "") or ""
    return [str(reference)] if reference else []


def _editor(param: ParamSpec, value: Any) -> QWidget:
    if param.kind == "bool":
        widget = QCheckBox()
        widget.setChecked(bool(value))
        return widget
    if param.kind == "int":
        widget = QSpinBox()
        widget.setRange(int(param.minimum), int(param.maximum))
        widget.setValue(int(value))
        return widget
    widget = QDoubleSpinBox()
    widget.setDecimals(param.decimals)
    widget.setSingleStep(1e-6 if param.decimals > 3 else 0.05)
    widget.setRange(param.minimum, param.maximum)
    widget.setValue(float(value))
    return widget


def _value(widget: QWidget) -> Any:
    return widget.isChecked() if isinstance(widget, QCheckBox) else widget.value()


def _changed_signal(widget: QWidget):
    return widget.toggled if isinstance(widget, QCheckBox) else widget.valueChanged
