"""The French translation loads from the QGIS locale setting and reaches the dock, the plugin and
the Processing algorithms: every text they show differs from its English source, except a short list
of words that are the same in both languages."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProcessingParameterEnum, QgsSettings
from qgis.gui import QgsCollapsibleGroupBox
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTableWidget,
    QTabWidget,
    QWidget,
)
from qgis_helpers import wait_until

import segmentation_trainer
from segmentation_trainer.core.common.config import CompareConfig, PredictConfig, TrainConfig
from segmentation_trainer.core.common.schema import settings_of
from segmentation_trainer.losses import LOSS_PRESETS, available_losses
from segmentation_trainer.losses.catalog import LOSSES, MODES
from segmentation_trainer.losses.presets import PRESET_LABELS

TS_FILE = Path(segmentation_trainer.__file__).resolve().parent / "i18n" / "segmentation_trainer_fr.ts"
IDENTICAL = {"Dice", "Tversky", "Jaccard (IoU)", "Lovász", "clDice", "Combo (Taghanaki)"}
"""Loss catalog texts (names) that are the same in French on purpose."""
SAME_IN_FRENCH = IDENTICAL | {
    "Segmentation Trainer",
    "U-Net",
    "DeepLabV3+",
    "Raster",
    "Mode",
    "Architecture",
    "Augmentation",
    "Configuration",
    "Classes",
    "mIoU",
    "validation",
    "JSON (*.json)",
}
"""Texts of the dock and the algorithms that are the same in French on purpose (names, words spelt alike)."""
TASK_TIMEOUT = 300


@pytest.fixture
def french(iface):
    """The plugin built with the QGIS locale set to French (its translator installed)."""
    settings = QgsSettings()
    previous = settings.value("locale/userLocale", "")
    settings.setValue("locale/userLocale", "fr_FR")
    try:
        plugin = segmentation_trainer.classFactory(iface)
        yield plugin
        plugin.unload()
    finally:
        settings.setValue("locale/userLocale", previous)


@contextmanager
def english(plugin) -> Iterator[None]:
    """The plugin's French translator removed for a while: texts built meanwhile are the English sources."""
    QCoreApplication.removeTranslator(plugin.translator)
    try:
        yield
    finally:
        QCoreApplication.installTranslator(plugin.translator)


def test_french_locale_translates_the_plugin_and_dock(french):
    french.initGui()
    french.action.trigger()
    dock = french.dock
    assert dock.trainButton.text() == "Entraîner"
    assert dock.predictButton.text() == "Prédire"
    tabs = [dock.tabs.tabText(i) for i in range(dock.tabs.count())]
    assert tabs == ["Données", "Entraîner", "Comparer", "Exécution", "Prédire", "Évaluer"]
    assert [dock.modelGroup.title(), dock.advancedGroup.title()] == ["Modèle", "Avancé"]
    assert dock.modeCombo.itemText(1) == "Multiclasse"
    assert french.action.toolTip().startswith("Entraîner un modèle")


def test_french_locale_translates_every_processing_training_label(french):
    """Every parameter label of Train model and Compare losses is its setting's declared label in
    French (the literal labels were once missed by pylupdate5 and showed in English)."""
    from segmentation_trainer.provider.compare import CompareAlgorithm
    from segmentation_trainer.provider.train import TrainAlgorithm

    declared = settings_of(TrainConfig) | settings_of(CompareConfig)
    for algorithm in (TrainAlgorithm(), CompareAlgorithm()):
        algorithm.initAlgorithm()
        shown = {p.name(): p.description() for p in algorithm.parameterDefinitions()}
        assert shown["LABELS"] == "Étiquettes"
        assert shown["VALIDATION_AREA"] == "Zone de validation" and shown["EPOCHS"] == "Époques"
        labels = {s.processing_name: s.label for s in declared.values()}
        assert not {label for key, label in shown.items() if labels.get(key) == label} - SAME_IN_FRENCH


def test_french_locale_translates_every_text_of_the_loss_tab(french):
    """Every loss label, description, scenario, parameter label and help text the Loss tab shows, in
    both modes, comes out of the French translation (the catalog's texts are declared outside the
    QGIS side); parameter identifiers show only in the tooltips."""
    french.initGui()
    french.action.trigger()
    dock, untranslated = french.dock, []

    def check(shown: str, english: str) -> None:
        if shown == english and english not in IDENTICAL:
            untranslated.append(english)

    for name in LOSS_PRESETS:
        check(dock.presetCombo.itemText(dock.presetCombo.findData(name)), PRESET_LABELS[name])
    for mode in MODES:
        dock.modeCombo.setCurrentIndex(dock.modeCombo.findData(mode))
        for spec in available_losses(mode):
            index = dock.lossCombo.findData(spec.name)
            dock.lossCombo.setCurrentIndex(index)
            check(dock.lossCombo.itemText(index), spec.label)
            assert spec.description not in dock.lossCombo.itemData(index, 3)  # the tooltip
            description, suits = dock.lossDescription.text().split("\n")
            check(description, spec.description)
            assert suits.startswith("Convient à : ")
            check(suits.removeprefix("Convient à : "), spec.scenario)
            for param in spec.params:
                widget = dock.loss_panel.widgets[param.name]
                label = dock.lossParamsForm.labelForField(widget).text()
                assert label != param.name
                check(label, param.label)
                help_text, identifier = widget.toolTip().rsplit(" ", 1)
                assert identifier == f"({param.name})"
                check(help_text, param.description)
    assert not untranslated
    # the Compare losses tab: the study's presets (combo), the loss's label and description in the tooltip
    assert dock.configurationTable.item(0, 1).toolTip().startswith("Entropie croisée + Dice + focale\n")


def test_french_ts_file_translates_every_loss_catalog_text():
    """pylupdate5 collected every text of the loss catalog (a QT_TRANSLATE_NOOP call it cannot read,
    say one with a trailing comma, leaves its text out) and each is translated."""
    context = next(c for c in ET.parse(TS_FILE).getroot().iter("context") if c.findtext("name") == "losses")
    messages = {m.findtext("source"): m.find("translation") for m in context.iter("message")}
    assert not [source for source, translation in messages.items() if translation.get("type") == "unfinished"]
    assert {source for source, translation in messages.items() if translation.text == source} <= IDENTICAL
    texts = set(PRESET_LABELS.values())
    for spec in LOSSES:
        texts |= {spec.label, spec.description, spec.scenario}
        texts |= {text for param in spec.params for text in (param.label, param.description)}
    assert texts <= set(messages)


def test_french_ts_file_translates_every_setting_text():
    """Every label, help text and choice label declared in core/common/config.py is in the .ts
    (context "settings") and translated; no message of any context is left unfinished."""
    root = ET.parse(TS_FILE).getroot()
    unfinished = [
        f"{context.findtext('name')}: {message.findtext('source')}"
        for context in root.iter("context")
        for message in context.iter("message")
        if message.find("translation").get("type") == "unfinished"
    ]
    assert not unfinished
    context = next(c for c in root.iter("context") if c.findtext("name") == "settings")
    messages = {m.findtext("source"): m.findtext("translation") for m in context.iter("message")}
    texts = set()
    for config in (TrainConfig, PredictConfig, CompareConfig):
        for s in settings_of(config).values():
            texts |= {s.label, s.help, *(s.choice_label(choice) for choice in s.choices)}
    texts -= SAME_IN_FRENCH
    assert not texts - set(messages), "not collected by pylupdate5 (a trailing comma in QT_TRANSLATE_NOOP?)"
    assert not [text for text in texts if messages[text] == text]


# --- every text of the dock and of the Processing algorithms, English against French ---------------


def untranslated(english_texts: dict, french_texts: dict) -> list[str]:
    """The texts shown the same in French as in English (place: text), but for words spelt alike,
    texts without a letter (numbers, units, symbols) and identifiers in tooltips."""
    assert english_texts.keys() == french_texts.keys(), "the English and French views differ in structure"
    return [
        f"{place}: {text!r}"
        for place, text in french_texts.items()
        if text == english_texts[place]
        and text not in SAME_IN_FRENCH
        and re.search(r"[^\W\d_]", text)
        and not (IDENTIFIER.fullmatch(text) and "ToolTip" in place)
    ]


IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
"""A tooltip that is one identifier (a study preset's name) tells the name to type elsewhere."""


CONTAINERS = (QWidget, QGroupBox, QgsCollapsibleGroupBox)
"""Widget classes whose children are the dock's own widgets (not the inside of a QGIS widget)."""


def dock_texts(dock: QDockWidget) -> dict[str, str]:
    """Every text the dock shows, by place (widget path and property): titles, labels, buttons,
    check boxes, combo box items and their tooltips, table headers, placeholders, tooltips. Layer
    and field combo boxes (layer names), values and the values an editable combo box offers (encoder
    names, devices) are data, left out; so is the inside of QGIS widgets."""
    texts: dict[str, str] = {"dock.windowTitle": dock.windowTitle()}
    data = (dock.baselineCombo,)  # the loss configurations' names

    def add(place: str, text: str | None) -> None:
        if text:
            texts[place] = text

    def visit(widget: QWidget, path: str) -> None:
        add(f"{path}.toolTip", widget.toolTip())
        add(f"{path}.whatsThis", widget.whatsThis())
        if isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                add(f"{path}.tabText[{i}]", widget.tabText(i))
                add(f"{path}.tabToolTip[{i}]", widget.tabToolTip(i))
                visit(widget.widget(i), f"{path}/{widget.widget(i).objectName() or i}")
            return
        if isinstance(widget, QScrollArea):
            visit(widget.widget(), f"{path}/{widget.widget().objectName()}")
            return
        if isinstance(widget, QGroupBox):
            add(f"{path}.title", widget.title())
        if isinstance(widget, (QLabel, QAbstractButton)):
            add(f"{path}.text", widget.text())
        if isinstance(widget, QComboBox) and type(widget).__module__ != "qgis._gui" and widget not in data:
            for i in range(widget.count()):
                if not widget.isEditable():  # an editable combo box offers values (encoder names), not labels
                    add(f"{path}.itemText[{i}]", widget.itemText(i))
                add(f"{path}.itemToolTip[{i}]", widget.itemData(i, Qt.ToolTipRole))
        if isinstance(widget, QAbstractSpinBox):
            for name in ("prefix", "suffix", "specialValueText"):
                add(f"{path}.{name}", getattr(widget, name)())
        if isinstance(widget, (QLineEdit, QPlainTextEdit)):
            add(f"{path}.placeholderText", widget.placeholderText())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for column in range(model.columnCount()):
                add(f"{path}.header[{column}]", model.headerData(column, Qt.Horizontal))
        if isinstance(widget, QTableWidget):
            for row in range(widget.rowCount()):
                for column in range(widget.columnCount()):
                    item = widget.item(row, column)
                    add(f"{path}.itemToolTip[{row},{column}]", item.toolTip() if item else "")
        if type(widget) in CONTAINERS:
            children = widget.findChildren(QWidget, options=Qt.FindDirectChildrenOnly)
            for i, child in enumerate(children):
                visit(child, f"{path}/{child.objectName() or f'{type(child).__name__}[{i}]'}")

    visit(dock.widget(), "dock")
    return texts


def built_dock_texts(iface) -> dict[str, str]:
    """The texts of a freshly built dock, once its worker check has ended."""
    from segmentation_trainer.ui.dock import TrainerDock

    dock = TrainerDock(iface)
    try:
        wait_until(lambda: dock.check_task is None, TASK_TIMEOUT, "the worker check to end")
        texts = dock_texts(dock)
        texts |= {f"dock.panels[{k}]": v for k, v in dock.panels.items()}
        texts |= {f"dock.series[{k}]": v for k, v in dock.series.items()}
        return texts
    finally:
        sip.delete(dock)  # before the stub iface's canvas, as in QGIS (the extent tool refers to it)


def test_french_locale_translates_every_text_of_the_dock(french, iface):
    """Every tab title, group title, label, button, check box, combo box item, table header and
    tooltip of the dock (the five tabs, the settings' widgets built from their declarations) is
    translated: the dock built in French shows no text equal to the same dock's in English."""
    french_texts = built_dock_texts(iface)
    with english(french):
        english_texts = built_dock_texts(iface)
    assert len(french_texts) > 150
    missing = untranslated(english_texts, french_texts)
    assert not missing, "Untranslated:\n" + "\n".join(missing)


def algorithm_texts(algorithms) -> dict[str, str]:
    """What the Processing dialogs of ``algorithms`` show: name, help, every parameter's label, help
    and options, every output's label."""
    texts = {}
    for algorithm in algorithms:
        name = algorithm.name()
        texts |= {
            f"{name}.displayName": algorithm.displayName(),
            f"{name}.shortHelpString": algorithm.shortHelpString(),
        }
        for p in algorithm.parameterDefinitions():
            texts[f"{name}.{p.name()}.description"] = p.description()
            if p.help():
                texts[f"{name}.{p.name()}.help"] = p.help()
            if isinstance(p, QgsProcessingParameterEnum):
                texts |= {f"{name}.{p.name()}.options[{i}]": option for i, option in enumerate(p.options())}
        for output in algorithm.outputDefinitions():
            texts[f"{name}.{output.name()}.output"] = output.description()
    return texts


def provider_algorithms():
    """The provider's algorithms, initialised (their labels translated) in the current language."""
    from segmentation_trainer.provider.provider import SegmentationTrainerProvider

    provider = SegmentationTrainerProvider()
    provider.refreshAlgorithms()
    algorithms = [algorithm.createInstance() for algorithm in provider.algorithms()]
    for algorithm in algorithms:
        algorithm.initAlgorithm()
    return sorted(algorithms, key=lambda algorithm: algorithm.name())


def test_french_locale_translates_every_text_of_the_processing_algorithms(french):
    """Train model, Compare losses, Predict, Export to ONNX, Sample reference points and Assess accuracy: the name,
    help, every parameter's label, help text and enum options (from the settings' declarations) and every output's
    label are translated."""
    french_algorithms = provider_algorithms()
    french_texts = algorithm_texts(french_algorithms)
    with english(french):
        english_texts = algorithm_texts(provider_algorithms())
    assert [a.name() for a in french_algorithms] == ["assess", "compare", "export_onnx", "predict", "sample", "train"]
    assert french_texts["predict.BLENDING.options[0]"] == "gaussienne"
    missing = untranslated(english_texts, french_texts)
    assert not missing, "Untranslated:\n" + "\n".join(missing)


def test_french_processing_dialogs_show_the_translated_labels(french):
    """The real algorithm dialogs (Processing's AlgorithmDialog), opened in French, label every
    parameter with its French label and show none of the English ones."""
    sys.path.append(str(Path(QgsApplication.pkgDataPath()) / "python" / "plugins"))  # QGIS's own plugins
    from processing.core.Processing import Processing
    from processing.gui.AlgorithmDialog import AlgorithmDialog

    Processing.initialize()
    with english(french):
        english_labels = {a.name(): {p.description() for p in a.parameterDefinitions()} for a in provider_algorithms()}
    french.initProcessing()  # the provider registered in French, as QGIS does
    assert french.provider is not None, "another provider with the plugin's id is registered"
    for algorithm in french.provider.algorithms():
        dialog = AlgorithmDialog(algorithm.create(), parent=None)
        try:
            widgets = dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)  # check boxes: booleans
            shown = [widget.text() for widget in widgets if widget.text()]
            for p in algorithm.parameterDefinitions():
                if not p.isDestination():
                    assert any(text.startswith(p.description()) for text in shown), (algorithm.name(), p.name())
            english_only = english_labels[algorithm.name()] - SAME_IN_FRENCH
            assert not [text for text in shown if any(text.startswith(label) for label in english_only)]
        finally:
            sip.delete(dialog)


def test_french_locale_translates_the_progress_texts(french):
    """The status and log lines the dock and Processing show for the worker's events (context
    "WorkerProgress") come out in French."""
    from segmentation_trainer.tasks import progress

    epoch = {"event": "epoch", "epoch": 2, "epochs": 5, "train_loss": 0.5, "miou": 0.25}
    batch = {"event": "progress", "stage": "train", "epoch": 1, "epochs": 5, "batch": 3, "batches": 9, "eta_s": 65}
    batch |= {"configuration": "equal", "run": 1, "runs": 7}
    chunk = {"event": "progress", "stage": "predict", "batch": 2, "batches": 4, "eta_s": 5}

    def lines() -> list[str]:
        return [progress.epoch_line(epoch), progress.status_line(batch, 1.0), progress.status_line(chunk, 1.0)]

    with english(french):
        assert lines()[2] == "Chunk 2/4 · ETA 5 s"
    assert lines() == [
        "Époque 2/5 : perte d'entraînement 0.5000, mIoU de validation 0.250",
        "Perte 1/7 (equal) · Époque 1/5 · lot 3/9 · reste 1 min 05 s",
        "Bloc 2/4 · reste 5 s",
    ]
