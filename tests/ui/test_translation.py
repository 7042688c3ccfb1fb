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
