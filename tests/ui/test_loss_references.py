"""The Loss tab cites papers: full citations in the loss tooltips, a References… button that opens
docs/references.md, shipped in the plugin folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt, QUrl
from qgis.PyQt.QtGui import QDesktopServices, QTextDocument
from qgis.PyQt.QtWidgets import QWidget
from qgis_helpers import wait_until

import segmentation_trainer
from segmentation_trainer.losses import available_losses
from segmentation_trainer.ui import loss_panel
from segmentation_trainer.ui.dock import TrainerDock

PLUGIN_DIR = Path(segmentation_trainer.__file__).resolve().parent
SEED_DOCUMENT = re.compile(r"seed\s+0\d\d", re.IGNORECASE)  # "seed" and a three-digit document number


@pytest.fixture
def dock(iface):
    widget = TrainerDock(iface)
    yield widget
    wait_until(lambda: widget.check_task is None, 300, "the worker check to end")
    sip.delete(widget)


def test_references_page_is_in_the_plugin_folder_and_shipped():
    assert loss_panel.REFERENCES_PAGE == PLUGIN_DIR / "docs" / "references.md"
    assert loss_panel.REFERENCES_PAGE.is_file()
    makefile = (PLUGIN_DIR / "Makefile").read_text(encoding="utf-8")
    plugin_files = re.search(r"^PLUGIN_FILES :=(.*)$", makefile, re.MULTILINE).group(1).split()
    assert "docs/references.md" in plugin_files


def test_references_button_opens_the_references_page(dock, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(QUrl(url)) or True))
    assert dock.referencesButton.isEnabled()
    assert dock.referencesButton.text() == "References…"
    dock.referencesButton.click()
    assert opened == [QUrl.fromLocalFile(str(PLUGIN_DIR / "docs" / "references.md"))]
    assert opened[0].isLocalFile() and Path(opened[0].toLocalFile()).is_file()


@pytest.mark.parametrize("mode", ["multiclass", "binary"])
def test_every_loss_tooltip_gives_its_full_citation(dock, mode):
    dock.modeCombo.setCurrentIndex(dock.modeCombo.findData(mode))
    combo = dock.lossCombo
    specs = {spec.name: spec for spec in available_losses(mode)}
    assert sorted(combo.itemData(i) for i in range(combo.count())) == sorted(specs)
    for i in range(combo.count()):
        spec = specs[combo.itemData(i)]
        tip = combo.itemData(i, Qt.ToolTipRole)
        assert Qt.mightBeRichText(tip)  # rich text: Qt wraps long citations
        document = QTextDocument()
        document.setHtml(tip)
        text = document.toPlainText()
        assert spec.description in text
        works = loss_panel.citations(spec)
        assert works and all(work in text for work in works)
        assert "; ".join(works) == spec.reference  # each of the catalog's citations, one per line
        label = "Reference: " if len(works) == 1 else "References:\n• "
        assert label + works[0] in text
        assert not SEED_DOCUMENT.search(text)


def test_no_widget_of_the_dock_cites_a_seed_document(dock):
    texts = []
    for widget in dock.findChildren(QWidget):
        texts += [widget.toolTip(), getattr(widget, "text", lambda: "")()]
    assert texts and not [t for t in texts if isinstance(t, str) and SEED_DOCUMENT.search(t)]
