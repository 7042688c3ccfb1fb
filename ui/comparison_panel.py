"""The Compare losses tab's logic: the list of loss configurations, the options and the results.

Works on the widgets of ``dock.ui`` (``configurationTable``, ``baselineCombo``,
``secondArchitectureCombo``, ``runsSpin``, ``testFractionSpin``, ``reportDirWidget``,
``recommendationLabel``, ``resultsTable``);
it builds the same ``CompareConfig`` as ``python -m segmentation_trainer compare``. No torch. The
Loss column shows the identifiers of ``compare.json`` (as the Parameters column), each with its label
and description from the loss catalog, translated, in its tooltip.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import QObject, Qt
from qgis.PyQt.QtWidgets import QTableWidgetItem

from ..core.common.config import (
    STUDY_BASELINE,
    CompareConfig,
    LossConfiguration,
    TrainConfig,
    study_configurations,
)
from ..core.common.errors import UserError
from ..core.common.schema import settings_of
from ..losses.catalog import convert_loss_name, loss_spec
from .loss_panel import translated
from .settings_form import declare, options

NAME, LOSS, PARAMS = range(3)


class ComparisonPanel(QObject):
    """Keeps the configuration list, the baseline choices and the results table together."""

    def __init__(self, ui) -> None:
        super().__init__(ui)
        self.ui = ui
        table = ui.configurationTable
        table.setColumnCount(3)
        table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Loss"), self.tr("Parameters")])
        ui.resultsTable.setColumnCount(4)
        ui.resultsTable.setHorizontalHeaderLabels(
            [
                self.tr("Configuration"),
                self.tr("Validation mIoU"),
                self.tr("Test mIoU (95 % interval)"),
                self.tr("Holm p vs best"),
            ]
        )
        settings = settings_of(CompareConfig)
        for value, label in options(settings["second_architecture"]):
            ui.secondArchitectureCombo.addItem(label, value)
        for widget, name in ((ui.secondArchitectureCombo, "second_architecture"), (ui.runsSpin, "runs")):
            declare(widget, settings[name])
        declare(ui.testFractionSpin, settings["test_fraction"])
        ui.reportDirWidget.setStorageMode(QgsFileWidget.GetDirectory)
        ui.removeConfigurationButton.clicked.connect(self.remove_selected)
        ui.studyPresetsButton.clicked.connect(self.reset_to_study)
        table.itemChanged.connect(lambda _item: self._refresh_baselines())
        self.reset_to_study()

    # --- configurations -----------------------------------------------------------------------

    def configurations(self) -> list[LossConfiguration]:
        """The ticked configurations, in table order."""
        table, chosen = self.ui.configurationTable, []
        for row in range(table.rowCount()):
            name = table.item(row, NAME)
            if name.checkState() == Qt.Checked:
                entry = table.item(row, LOSS).data(Qt.UserRole)
                chosen.append(LossConfiguration(name.text().strip(), entry["loss"], entry["params"]))
        return chosen

    def add(self, entry: LossConfiguration, checked: bool = True) -> None:
        """Append a row; a name already in the table gets a numbered suffix."""
        table = self.ui.configurationTable
        taken = {table.item(row, NAME).text() for row in range(table.rowCount())}
        name, number = entry.name, 2
        while name in taken:
            name, number = f"{entry.name}_{number}", number + 1
        table.blockSignals(True)
        row = table.rowCount()
        table.insertRow(row)
        name_item = QTableWidgetItem(name)
        name_item.setFlags(name_item.flags() | Qt.ItemIsUserCheckable | Qt.ItemIsEditable)
        name_item.setCheckState(Qt.Checked if checked else Qt.Unchecked)
        loss_item = QTableWidgetItem(entry.loss)
        loss_item.setToolTip(loss_tooltip(entry.loss))
        loss_item.setData(Qt.UserRole, {"loss": entry.loss, "params": dict(entry.params)})
        params_item = QTableWidgetItem(json.dumps(entry.params))
        for column, item in ((NAME, name_item), (LOSS, loss_item), (PARAMS, params_item)):
            if column != NAME:
                item.setFlags(item.flags() & ~Qt.ItemIsEditable)
            table.setItem(row, column, item)
        table.blockSignals(False)
        table.resizeColumnsToContents()
        self._refresh_baselines()

    def set_configurations(self, entries: list[LossConfiguration], checked: list[bool] | None = None) -> None:
        self.ui.configurationTable.setRowCount(0)
        for entry, tick in zip(entries, checked or [True] * len(entries)):
            self.add(entry, tick)

    def remove_selected(self) -> None:
        table = self.ui.configurationTable
        for row in sorted({index.row() for index in table.selectedIndexes()}, reverse=True):
            table.removeRow(row)
        self._refresh_baselines()

    def reset_to_study(self) -> None:
        """The seven presets of the study (the loss is converted to the run's mode when it starts)."""
        self.set_configurations(study_configurations("multiclass"))
        self.set_baseline(STUDY_BASELINE)

    def _refresh_baselines(self) -> None:
        combo, current = self.ui.baselineCombo, self.ui.baselineCombo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for entry in self.configurations():
            combo.addItem(entry.name, entry.name)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def set_baseline(self, name: str) -> None:
        index = self.ui.baselineCombo.findData(name)
        if index >= 0:
            self.ui.baselineCombo.setCurrentIndex(index)

    # --- the run ------------------------------------------------------------------------------

    def compare_config(self, train: TrainConfig, report_dir: str) -> CompareConfig:
        """The comparison of the ticked configurations with ``train``'s settings (a UserError when
        none is ticked or a name is repeated)."""
        entries = [dataclasses.replace(e, loss=convert_loss_name(e.loss, train.mode)) for e in self.configurations()]
        if not entries:
            raise UserError(self.tr("Tick at least one loss configuration to compare."))
        return CompareConfig(
            dataclasses.replace(train, output_dir=report_dir),
            entries,
            baseline=self.ui.baselineCombo.currentData() or "",
            second_architecture=self.ui.secondArchitectureCombo.currentData(),
            runs=self.ui.runsSpin.value(),
            test_fraction=self.ui.testFractionSpin.value(),
        )

    def show_results(self, summary: dict[str, Any]) -> None:
        """The recommendation and one row per configuration, best first (the worker's summary)."""
        self.ui.recommendationLabel.setText(summary.get("recommendation", ""))
        table = self.ui.resultsTable
        rows = summary.get("configurations", [])
        table.setRowCount(len(rows))
        for row, result in enumerate(rows):
            low, high = result["test_interval"]
            values = [
                result["configuration"],
                f"{result['validation_miou']:.3f}",
                f"{result['test_miou']:.3f} ({low:.3f}–{high:.3f})",
                "–" if result["p_holm_vs_best"] is None else f"{result['p_holm_vs_best']:.3g}",
            ]
            for column, text in enumerate(values):
                table.setItem(row, column, QTableWidgetItem(text))
        table.resizeColumnsToContents()

    # --- settings saved in the project --------------------------------------------------------

    def state(self) -> dict[str, Any]:
        table = self.ui.configurationTable
        rows = []
        for row in range(table.rowCount()):
            entry = table.item(row, LOSS).data(Qt.UserRole)
            checked = table.item(row, NAME).checkState() == Qt.Checked
            rows.append({"name": table.item(row, NAME).text(), **entry, "checked": checked})
        return {
            "configurations": rows,
            "baseline": self.ui.baselineCombo.currentData(),
            "second_architecture": self.ui.secondArchitectureCombo.currentData(),
            "runs": self.ui.runsSpin.value(),
            "test_fraction": self.ui.testFractionSpin.value(),
            "report_dir": self.ui.reportDirWidget.filePath(),
        }

    def set_state(self, state: dict[str, Any]) -> None:
        rows = state.get("configurations") or []
        if rows:
            entries = [LossConfiguration(r["name"], r["loss"], r.get("params") or {}) for r in rows]
            self.set_configurations(entries, [bool(r.get("checked", True)) for r in rows])
        self.set_baseline(state.get("baseline") or "")
        combo = self.ui.secondArchitectureCombo
        combo.setCurrentIndex(max(0, combo.findData(state.get("second_architecture"))))
        if state.get("runs"):
            self.ui.runsSpin.setValue(int(state["runs"]))
        if state.get("test_fraction"):
            self.ui.testFractionSpin.setValue(float(state["test_fraction"]))
        self.ui.reportDirWidget.setFilePath(state.get("report_dir") or "")


def loss_tooltip(name: str) -> str:
    """The label and description of loss ``name`` (of either mode) in the user's language; empty for a
    name the catalog does not know (a project saved by another version)."""
    try:
        spec = loss_spec(convert_loss_name(name, "multiclass"), "multiclass")
    except ValueError:
        return ""
    return f"{translated(spec.label)}\n{translated(spec.description)}"
