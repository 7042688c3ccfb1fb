"""Helpers for tests that run inside real QGIS (offscreen): an application, a stub iface, waiting."""

from __future__ import annotations

import time
from collections.abc import Callable

from qgis.core import Qgis, QgsApplication
from qgis.gui import QgsMapCanvas, QgsMessageBar
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import QMainWindow, QToolBar

_app: QgsApplication | None = None


def start_qgis() -> QgsApplication:
    """One QgsApplication (with GUI, offscreen) for the whole test process."""
    global _app
    if _app is None:
        QgsApplication.setPrefixPath("/usr", True)
        _app = QgsApplication([], True)
        _app.initQgis()
    return _app


class RecordingMessageBar(QgsMessageBar):
    """A real message bar that also keeps what was pushed, for assertions."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.messages: list[tuple[str, str, int]] = []

    def pushMessage(self, title, text, level=Qgis.Info, duration=-1):  # noqa: N802 (QGIS API)
        self.messages.append((title, text, level))
        super().pushMessage(title, text, level, duration)


class StubIface:
    """The parts of QgisInterface the plugin uses, backed by real widgets."""

    def __init__(self) -> None:
        self.main_window = QMainWindow()
        self.canvas = QgsMapCanvas(self.main_window)
        self.bar = RecordingMessageBar(self.main_window)
        self.toolbar = QToolBar(self.main_window)
        self.main_window.setCentralWidget(self.canvas)
        self.main_window.show()
        self.menus: dict[str, list] = {}
        self.docks: list = []

    @property
    def messages(self) -> list[tuple[str, str, int]]:
        return self.bar.messages

    def mainWindow(self):  # noqa: N802 (QGIS API)
        return self.main_window

    def mapCanvas(self):  # noqa: N802
        return self.canvas

    def messageBar(self):  # noqa: N802
        return self.bar

    def addToolBarIcon(self, action):  # noqa: N802
        self.toolbar.addAction(action)

    def removeToolBarIcon(self, action):  # noqa: N802
        self.toolbar.removeAction(action)

    def addPluginToMenu(self, menu, action):  # noqa: N802
        self.menus.setdefault(menu, []).append(action)

    def removePluginMenu(self, menu, action):  # noqa: N802
        self.menus[menu].remove(action)

    def addDockWidget(self, area, dock):  # noqa: N802
        self.main_window.addDockWidget(area, dock)
        self.docks.append(dock)

    def removeDockWidget(self, dock):  # noqa: N802
        self.main_window.removeDockWidget(dock)
        self.docks.remove(dock)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Process Qt events until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        QCoreApplication.processEvents()
        time.sleep(0.02)
