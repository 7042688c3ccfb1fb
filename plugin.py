"""The QGIS plugin object: a toolbar button and menu entry toggling the dock, translations loaded."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, Qt, QTranslator
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

PLUGIN_DIR = Path(__file__).resolve().parent


class SegmentationTrainerPlugin:
    def __init__(self, iface) -> None:
        self.iface = iface
        self.dock = None
        self.provider = None
        self.action: QAction | None = None
        self.translator = _load_translator()

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("SegmentationTrainerPlugin", text)

    def initProcessing(self) -> None:  # noqa: N802 (QGIS API: called by QGIS and by qgis_process)
        from .provider.provider import SegmentationTrainerProvider

        if self.provider is None:
            provider = SegmentationTrainerProvider()
            # False when a provider with this id is already registered (the registry then deletes it)
            if QgsApplication.processingRegistry().addProvider(provider):
                self.provider = provider

    def initGui(self) -> None:  # noqa: N802 (QGIS API)
        self.initProcessing()
        self.action = QAction(
            QIcon(str(PLUGIN_DIR / "icon.svg")), self.tr("Segmentation Trainer"), self.iface.mainWindow()
        )
        self.action.setCheckable(True)
        self.action.setToolTip(self.tr("Train a segmentation model on map layers and predict"))
        self.action.toggled.connect(self.toggle_dock)
        self.iface.addToolBarIcon(self.action)
        self.iface.addPluginToMenu(self.tr("&Segmentation Trainer"), self.action)

    def unload(self) -> None:
        if self.dock is not None:
            self.dock.shutdown()
            self.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None
        if self.action is not None:
            self.iface.removePluginMenu(self.tr("&Segmentation Trainer"), self.action)
            self.iface.removeToolBarIcon(self.action)
            self.action.deleteLater()
            self.action = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)

    def toggle_dock(self, visible: bool) -> None:
        if self.dock is None:
            from .ui.dock import TrainerDock

            self.dock = TrainerDock(self.iface, self.iface.mainWindow())
            self.dock.visibilityChanged.connect(self.action.setChecked)
            self.iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.dock.setVisible(visible)


def _load_translator() -> QTranslator | None:
    """The translation for the QGIS locale setting (``i18n/segmentation_trainer_<lang>.qm``), if any."""
    locale = (QgsSettings().value("locale/userLocale", "", type=str) or "en")[:2]
    path = PLUGIN_DIR / "i18n" / f"segmentation_trainer_{locale}.qm"
    if not path.is_file():
        return None
    translator = QTranslator()
    if not translator.load(str(path)):
        return None
    QCoreApplication.installTranslator(translator)
    return translator
