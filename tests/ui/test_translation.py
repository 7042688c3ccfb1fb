"""The French translation loads from the QGIS locale setting and reaches the dock and the plugin."""

from __future__ import annotations

from qgis.core import QgsSettings

import segmentation_trainer


def test_french_locale_translates_the_plugin_and_dock(iface):
    settings = QgsSettings()
    previous = settings.value("locale/userLocale", "")
    settings.setValue("locale/userLocale", "fr_FR")
    try:
        plugin = segmentation_trainer.classFactory(iface)
        plugin.initGui()
        plugin.action.trigger()
        dock = plugin.dock
        assert dock.trainButton.text() == "Entraîner"
        assert dock.predictButton.text() == "Prédire"
        assert [dock.tabs.tabText(i) for i in (0, 3)] == ["Données", "Entraînement"]
        assert dock.modeCombo.itemText(1) == "Multiclasse"
        assert plugin.action.toolTip().startswith("Entraîner un modèle")
        plugin.unload()
    finally:
        settings.setValue("locale/userLocale", previous)


def test_french_locale_translates_every_processing_training_label(iface):
    """Every parameter label of Train model and Compare losses comes out of the French translation
    (the literal labels were once missed by pylupdate5 and showed in English)."""
    from segmentation_trainer.provider.compare import CompareAlgorithm
    from segmentation_trainer.provider.train import LABELS, TrainAlgorithm

    settings = QgsSettings()
    previous = settings.value("locale/userLocale", "")
    settings.setValue("locale/userLocale", "fr_FR")
    try:
        plugin = segmentation_trainer.classFactory(iface)  # installs the plugin's translator
        for algorithm in (TrainAlgorithm(), CompareAlgorithm()):
            algorithm.initAlgorithm()
            shown = {p.name(): p.description() for p in algorithm.parameterDefinitions()}
            assert shown["LABELS"] == "Étiquettes (polygones ou raster de classes)"
            assert shown["VALIDATION_AREA"] == "Zone de validation" and shown["EPOCHS"] == "Époques"
            assert not {key for key, label in LABELS.items() if shown.get(key) == label} - {"RASTER"}
        plugin.unload()
    finally:
        settings.setValue("locale/userLocale", previous)
