"""Live training curves drawn with QPainter: losses on top, validation mIoU below (one line per
loss configuration during a comparison).

No plotting library: QGIS installs do not all ship matplotlib, and a few polylines are all a user
needs to see whether training goes the right way.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import QPointF, QRectF, Qt
from qgis.PyQt.QtGui import QColor, QPainter, QPen
from qgis.PyQt.QtWidgets import QSizePolicy, QWidget

MARGIN = 6
AXIS_WIDTH = 44
LEGEND_HEIGHT = 16
PALETTE = ("#377eb8", "#e41a1c", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#999999", "#17becf")


class CurvePlot(QWidget):
    """Panels of named series, one above the other: ``panels`` maps a panel title to its series and
    their colours; a series not named there gets the next colour of ``PALETTE`` on its first point."""

    def __init__(self, panels: dict[str, dict[str, str]], parent=None) -> None:
        super().__init__(parent)
        self.set_panels(panels)
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_panels(self, panels: dict[str, dict[str, str]]) -> None:
        """Start again with these panels and no points."""
        self.panels = {title: dict(series) for title, series in panels.items()}
        self.points: dict[tuple[str, str], list[tuple[float, float]]] = {}
        self.update()

    def add_point(self, panel: str, series: str, x: float, y: float | None) -> None:
        """Append a point (``None`` values, e.g. no validation yet, are skipped) and redraw."""
        if y is None:
            return
        colors = self.panels[panel]
        colors.setdefault(series, PALETTE[len(colors) % len(PALETTE)])
        self.points.setdefault((panel, series), []).append((float(x), float(y)))
        self.update()

    def series(self, panel: str, series: str) -> list[tuple[float, float]]:
        return self.points.get((panel, series), [])

    def clear(self) -> None:
        self.points.clear()
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        height = self.height() / len(self.panels)
        for i, (title, series) in enumerate(self.panels.items()):
            self._draw_panel(painter, QRectF(0, i * height, self.width(), height), title, series)
        painter.end()

    def _draw_panel(self, painter: QPainter, area: QRectF, title: str, series: dict[str, str]) -> None:
        plot = area.adjusted(AXIS_WIDTH, MARGIN + LEGEND_HEIGHT, -MARGIN, -MARGIN - 12)
        painter.setPen(self.palette().text().color())
        painter.drawText(area.adjusted(MARGIN, MARGIN, 0, 0), Qt.AlignLeft | Qt.AlignTop, title)
        x = area.left() + AXIS_WIDTH + painter.fontMetrics().horizontalAdvance(title)
        for name, color in series.items():
            painter.setPen(QPen(QColor(color), 2))
            painter.drawLine(QPointF(x, area.top() + MARGIN + 7), QPointF(x + 14, area.top() + MARGIN + 7))
            painter.setPen(self.palette().text().color())
            painter.drawText(QPointF(x + 18, area.top() + MARGIN + 11), name)
            x += 26 + painter.fontMetrics().horizontalAdvance(name)
        painter.setPen(QPen(self.palette().mid().color(), 1))
        painter.drawRect(plot)
        points = [p for name in series for p in self.series(title, name)]
        if not points:
            return
        xmin, xmax = min(p[0] for p in points), max(p[0] for p in points)
        ymin, ymax = min(p[1] for p in points), max(p[1] for p in points)
        if ymax - ymin < 1e-9:
            ymin, ymax = ymin - 0.5, ymax + 0.5
        xspan = max(xmax - xmin, 1.0)

        def to_screen(px: float, py: float) -> QPointF:
            return QPointF(
                plot.left() + (px - xmin) / xspan * plot.width(),
                plot.bottom() - (py - ymin) / (ymax - ymin) * plot.height(),
            )

        painter.setPen(self.palette().text().color())
        painter.drawText(QRectF(area.left(), plot.top() - 6, AXIS_WIDTH - 4, 14), Qt.AlignRight, f"{ymax:.3g}")
        painter.drawText(QRectF(area.left(), plot.bottom() - 8, AXIS_WIDTH - 4, 14), Qt.AlignRight, f"{ymin:.3g}")
        painter.drawText(QRectF(plot.left(), plot.bottom() + 1, plot.width(), 12), Qt.AlignLeft, f"{xmin:g}")
        painter.drawText(QRectF(plot.left(), plot.bottom() + 1, plot.width(), 12), Qt.AlignRight, f"{xmax:g}")
        for name, color in series.items():
            screen = [to_screen(*p) for p in self.series(title, name)]
            painter.setPen(QPen(QColor(color), 2))
            for a, b in zip(screen, screen[1:]):
                painter.drawLine(a, b)
            for p in screen:
                painter.drawEllipse(p, 2.5, 2.5)
