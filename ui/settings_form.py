"""Dock widgets built from the settings' declarations (``core/common/schema.py``).

``SettingsForm`` adds one row per declared setting to a ``QFormLayout``: a spin box with the
declaration's range and step, a combo box with its choices, a check box, a file widget or a text
field (band numbers written ``4,3,2``, a JSON object as JSON); the label and tooltip are the declaration's
(translated), the value its default. Each widget is named like a Designer widget (``epochsSpin``, ``deviceCombo``,
``prefix`` first when given) and ``values()`` / ``set_values()`` read and restore the settings by name,
as ``run.json`` and the project hold them.
"""

from __future__ import annotations

import json
import math
from typing import Any

from qgis.gui import QgsDoubleSpinBox, QgsFileWidget, QgsSpinBox
from qgis.PyQt.QtCore import QCoreApplication, QRegularExpression
from qgis.PyQt.QtGui import QRegularExpressionValidator
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from ..core.common import i18n, schema
from ..core.common.errors import UserError
from ..core.common.schema import Setting


def tr(text: str) -> str:
    return QCoreApplication.translate(i18n.SETTINGS, text)


class SettingsForm:
    """The widgets of ``settings`` in ``layout``, read and written by setting name."""

    def __init__(self, layout: QFormLayout, settings: list[Setting], prefix: str = "", row: int = -1) -> None:
        """``row``: where the rows go in ``layout`` (-1: after its rows)."""
        self.settings = {s.name: s for s in settings}
        self.widgets: dict[str, QWidget] = {}
        layout.setRowWrapPolicy(QFormLayout.WrapLongRows)  # a long label puts its widget below: fits a narrow dock
        for i, s in enumerate(settings):
            widget = make_widget(s)
            widget.setObjectName(_object_name(prefix, s.name, widget))
            layout.insertRow(row + i if row >= 0 else -1, tr(s.label), widget)
            self.widgets[s.name] = widget

    def values(self) -> dict[str, Any]:
        return {name: read(self.widgets[name], s) for name, s in self.settings.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` (settings of other forms and values a widget cannot show are skipped)."""
        for name, value in values.items():
            if name in self.widgets:
                write(self.widgets[name], self.settings[name], value)


def make_widget(s: Setting) -> QWidget:
    """A widget for ``s``, configured by ``declare``."""
    if s.source in (schema.FILE, schema.FOLDER, schema.OUTPUT_FOLDER, schema.OUTPUT_FILE):
        widget = QgsFileWidget()
        if s.source in (schema.FOLDER, schema.OUTPUT_FOLDER):
            widget.setStorageMode(QgsFileWidget.GetDirectory)
        elif s.source == schema.OUTPUT_FILE:
            widget.setStorageMode(QgsFileWidget.SaveFile)
            widget.setFilter(s.file_filter)
    elif s.is_choice or s.suggestions:
        widget = QComboBox()
        widget.setEditable(bool(s.suggestions))
        for value, label in options(s):
            widget.addItem(label, value)
    elif s.kind is bool:
        widget = QCheckBox()
    elif s.kind in (int, float):
        widget = QgsSpinBox() if s.kind is int else QgsDoubleSpinBox()
    else:
        widget = QLineEdit()
        if s.source == schema.BANDS:
            widget.setValidator(QRegularExpressionValidator(QRegularExpression(r"[\d,;\s]*"), widget))
    declare(widget, s)
    return widget


def declare(widget: QWidget, s: Setting) -> None:
    """Give ``widget`` (built here or in a Designer form) the declaration's tooltip, range and default."""
    widget.setToolTip(f"{tr(s.help)}\n({s.cli_flag})")
    if isinstance(widget, QSpinBox):
        widget.setRange(int(s.minimum if s.minimum is not None else -(2**31)), int(s.maximum or 2**31 - 1))
        widget.setSingleStep(int(s.step or 1))
    elif isinstance(widget, QDoubleSpinBox):
        smallest = s.step or s.default or 0.01  # the decimals show the step, or the default's last digit
        widget.setDecimals(max(2, math.ceil(-math.log10(smallest)) + 1))
        widget.setRange(s.minimum if s.minimum is not None else -1e12, s.maximum if s.maximum is not None else 1e12)
        widget.setSingleStep(s.step or 10 ** -(widget.decimals() - 1))
    if isinstance(widget, (QgsSpinBox, QgsDoubleSpinBox)):
        widget.setClearValue(s.default)  # the clear button restores the default
    write(widget, s, s.default)


def options(s: Setting) -> list[tuple[Any, str]]:
    """A combo box's (value, translated label) items for ``s``."""
    if s.suggestions:
        return [(value, value) for value in s.suggestions]
    return [(value, tr(text)) for value, text in schema.choice_options(s)]


def read(widget: QWidget, s: Setting) -> Any:
    if isinstance(widget, QgsFileWidget):
        return widget.filePath() or (None if s.optional else "")
    if isinstance(widget, QComboBox):
        if s.suggestions:
            return widget.currentText().strip() or s.default
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QLineEdit):
        if s.source == schema.BANDS:
            return schema.parse_bands(widget.text())
        if s.kind is dict:
            return _json_object(widget.text(), s)
        return widget.text().strip() or s.default
    return widget.value()


def write(widget: QWidget, s: Setting, value: Any) -> None:
    if isinstance(widget, QgsFileWidget):
        widget.setFilePath(value or "")
    elif isinstance(widget, QComboBox):
        if s.suggestions:
            widget.setCurrentText(str(value or ""))
        elif widget.findData(value) >= 0:
            widget.setCurrentIndex(widget.findData(value))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QLineEdit) and s.kind is dict:
        widget.setText(json.dumps(value) if value else "")
    elif isinstance(widget, QLineEdit):
        widget.setText(",".join(map(str, value or [])) if s.source == schema.BANDS else str(value or ""))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        widget.setValue(value)


def _json_object(text: str, s: Setting) -> dict[str, Any]:
    """A JSON object typed in (empty: the default); a UserError names the setting."""
    if not text.strip():
        return dict(s.default)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        message = QCoreApplication.translate("SettingsForm", "{0}: {1!r} is not JSON ({2}). Write e.g. {3}")
        raise UserError(message.format(tr(s.label), text, exc.msg, '{"name": 0.9}')) from None
    return value


def _object_name(prefix: str, name: str, widget: QWidget) -> str:
    suffix = {QgsFileWidget: "Widget", QComboBox: "Combo", QCheckBox: "Check", QLineEdit: "Edit"}.get(
        type(widget), "Spin"
    )
    words = name.split("_")
    camel = words[0] + "".join(w.capitalize() for w in words[1:])
    return (prefix + camel[0].upper() + camel[1:] if prefix else camel) + suffix
