"""The French translation loads from the QGIS locale setting and reaches the dock and the plugin."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from qgis.core import QgsSettings

import segmentation_trainer
from segmentation_trainer.losses import LOSS_PRESETS, available_losses
from segmentation_trainer.losses.catalog import LOSSES, MODES
from segmentation_trainer.losses.presets import PRESET_LABELS

TS_FILE = Path(segmentation_trainer.__file__).resolve().parent / "i18n" / "segmentation_trainer_fr.ts"
IDENTICAL = {"Dice", "Tversky", "Jaccard (IoU)", "Lovász", "clDice", "Combo (Taghanaki)"}
"""Loss catalog texts (names) that are the same in French on purpose."""


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


def test_french_locale_translates_the_plugin_and_dock(french):
    french.initGui()
    french.action.trigger()
    dock = french.dock
    assert dock.trainButton.text() == "Entraîner"
    assert dock.predictButton.text() == "Prédire"
    assert [dock.tabs.tabText(i) for i in (0, 3)] == ["Données", "Entraînement"]
    assert dock.modeCombo.itemText(1) == "Multiclasse"
    assert french.action.toolTip().startswith("Entraîner un modèle")


def test_french_locale_translates_every_processing_training_label(french):
    """Every parameter label of Train model and Compare losses comes out of the French translation
    (the literal labels were once missed by pylupdate5 and showed in English)."""
    from segmentation_trainer.provider.compare import CompareAlgorithm
    from segmentation_trainer.provider.train import LABELS, TrainAlgorithm

    for algorithm in (TrainAlgorithm(), CompareAlgorithm()):
        algorithm.initAlgorithm()
        shown = {p.name(): p.description() for p in algorithm.parameterDefinitions()}
        assert shown["LABELS"] == "Étiquettes (polygones ou raster de classes)"
        assert shown["VALIDATION_AREA"] == "Zone de validation" and shown["EPOCHS"] == "Époques"
        assert not {key for key, label in LABELS.items() if shown.get(key) == label} - {"RASTER"}


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
