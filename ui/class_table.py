"""The class table editor of the Data tab: value, name and colour of each class.

Filled from the labels (a vector field's distinct values, or a class raster's values) and read
back as the ``classes`` of the run's config. An empty table lets the worker derive the classes.
"""

from __future__ import annotations

from typing import Any

from qgis.core import QgsPalettedRasterRenderer, QgsRasterLayer, QgsVectorLayer
from qgis.gui import QgsColorButton
from qgis.PyQt.QtCore import QObject, QVariant
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from ..core.common.classes import field_classes
from ..core.common.colors import class_color
from ..core.common.errors import UserError

VALUE, NAME, COLOR = range(3)


class ClassTable(QObject):
    """Reads and writes the rows of the Data tab's ``QTableWidget``."""

    def __init__(self, table: QTableWidget) -> None:
        super().__init__(table)
        self.table = table
        table.setColumnCount(3)
        table.setHorizontalHeaderLabels([self.tr("Value"), self.tr("Name"), self.tr("Colour")])
        table.horizontalHeader().setSectionResizeMode(NAME, QHeaderView.Stretch)
        table.verticalHeader().setVisible(False)

    def set_classes(self, classes: list[dict[str, Any]]) -> None:
        """Replace the rows with ``classes`` (dicts with value, name and optionally color)."""
        self.table.setRowCount(0)
        for row in classes:
            self.add_class(row["value"], row["name"], row.get("color") or "")

    def add_class(self, value: int | None = None, name: str = "", color: str = "") -> None:
        """Append a row; without a value, one more than the largest so far."""
        table = self.table
        row = table.rowCount()
        if value is None:
            values = [int(v["value"]) for v in self._rows() if str(v["value"]).lstrip("-").isdigit()]
            value = max(values, default=0) + 1
        table.insertRow(row)
        table.setItem(row, VALUE, QTableWidgetItem(str(value)))
        table.setItem(row, NAME, QTableWidgetItem(name or str(value)))
        button = QgsColorButton()
        button.setColor(QColor(color or class_color(row)))
        button.setShowMenu(False)
        table.setCellWidget(row, COLOR, button)

    def remove_selected(self) -> None:
        for row in sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def classes(self) -> list[dict[str, Any]]:
        """The classes as config rows; a UserError names a row with a bad or repeated value."""
        classes, seen = [], set()
        for i, row in enumerate(self._rows(), start=1):
            try:
                value = int(row["value"])
            except ValueError:
                raise UserError(
                    self.tr("Class table, row {0}: the value {1!r} is not a whole number.").format(i, row["value"])
                ) from None
            if not 0 <= value < 65535:
                raise UserError(
                    self.tr("Class table, row {0}: the value {1} must be between 0 and 65534.").format(i, value)
                )
            if value in seen:
                raise UserError(self.tr("Class table, row {0}: the value {1} is used twice.").format(i, value))
            seen.add(value)
            classes.append({"value": value, "name": row["name"] or str(value), "color": row["color"]})
        return classes

    def _rows(self) -> list[dict[str, str]]:
        rows = []
        for row in range(self.table.rowCount()):
            value, name = self.table.item(row, VALUE), self.table.item(row, NAME)
            button = self.table.cellWidget(row, COLOR)
            rows.append(
                {
                    "value": value.text().strip() if value else "",
                    "name": name.text().strip() if name else "",
                    "color": button.color().name() if button else "",
                }
            )
        return rows

    def fill_from_labels(self, layer, field: str) -> None:
        """Fill the table with the classes found in the labels: a vector field's distinct values
        (whole numbers as they are; text values numbered 1, 2, … in sorted order, as the worker does
        without a class table), or a class raster's values. Without a field (binary mode), background 0
        and foreground 1."""
        if isinstance(layer, QgsRasterLayer):
            data = QgsPalettedRasterRenderer.classDataFromRaster(layer.dataProvider(), 1)
            self.set_classes([{"value": int(c.value), "name": c.label or str(int(c.value))} for c in data])
            return
        if not isinstance(layer, QgsVectorLayer):
            raise UserError(self.tr("Choose a label layer first."))
        if not field:
            self.set_classes([{"value": 0, "name": self.tr("background")}, {"value": 1, "name": self.tr("foreground")}])
            return
        index = layer.fields().indexOf(field)
        if index < 0:
            raise UserError(self.tr("The layer '{0}' has no field '{1}'.").format(layer.name(), field))
        values = [v for v in layer.uniqueValues(index) if not _is_null(v)]
        if not values:
            raise UserError(self.tr("The field '{0}' of '{1}' has no values.").format(field, layer.name()))
        _, classes = field_classes(values)  # the worker's rule (core/common/classes.py)
        self.set_classes([{"value": c.value, "name": c.name} for c in classes])


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, QVariant) and value.isNull())
