"""A bar chart drawn with QPainter: vertical bars (months) or horizontal ones (categories).

Each bar carries a key (given back by ``bar_clicked``), a label, a value and the
exact French text its tooltip shows. A vertical chart may also draw a line over
the bars, on its own scale at the right (with a dashed target), e.g. incidents
as bars and availability as a line. No chart library to ship.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop.ui.formatting import BLUE, GREY, RED

TICKS = 4
AXIS_GAP = 6
GRID = "#e6e6e6"
HOVER = "#eef3fb"


@dataclass(frozen=True)
class Bar:
    key: object  # given back when clicked (a month, a plan id…)
    label: str  # under a vertical bar, left of a horizontal one
    value: float
    tooltip: str  # the exact value, in French
    colour: str = BLUE
    text: str = ""  # written at the bar's end (above a vertical bar, if it fits)


@dataclass(frozen=True)
class LineSeries:
    """A line over vertical bars, on a scale of its own (right axis)."""

    values: tuple[float, ...]  # one per bar
    low: float
    high: float
    label: Callable[[float], str]  # a tick of the right axis
    colour: str = RED
    target: float | None = None  # a dashed line at this value
    caption: str = ""  # the legend, at the top


def nice_top(value: float, ticks: int = TICKS) -> float:
    """The smallest « round » top of scale ≥ ``value`` whose steps are 1, 2, 2.5 or 5 × 10ⁿ.

    >>> nice_top(0), nice_top(7), nice_top(1234.5), nice_top(96)
    (4.0, 8.0, 2000.0, 100.0)
    """
    if value <= 0:
        return float(ticks)
    raw = value / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step * ticks >= value:
            return float(step * ticks)
    return float(10 * power * ticks)  # pragma: no cover - the loop always returns


class BarChart(QWidget):
    bar_clicked = Signal(object)  # the clicked bar's key

    def __init__(
        self,
        *,
        horizontal: bool = False,
        axis_label: Callable[[float], str] = lambda v: f"{v:g}",
        integer_scale: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.horizontal = horizontal
        self.axis_label = axis_label
        self.integer_scale = integer_scale
        self.bars: list[Bar] = []
        self.line: LineSeries | None = None
        self.selected: object | None = None
        self.hovered: int | None = None
        self.empty_text = "Aucune donnée"
        self.setMouseTracking(True)
        self.setMinimumHeight(180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(560, 260)

    def set_bars(self, bars: Sequence[Bar], line: LineSeries | None = None) -> None:
        self.bars = list(bars)
        self.line = line if not self.horizontal else None
        self.hovered = None
        self.update()

    def select(self, key: object | None) -> None:
        self.selected = key
        self.update()

    # --- geometry -----------------------------------------------------------------------

    def _small_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() - 0.5))
        return font

    def _top_value(self) -> float:
        highest = max((bar.value for bar in self.bars), default=0.0)
        if not self.horizontal and any(bar.text for bar in self.bars):
            highest *= 1.12  # room for the values written above the bars
        top = nice_top(highest)
        return max(top, float(TICKS)) if self.integer_scale else top

    def _label_width(self, texts: Sequence[str]) -> float:
        metrics = QFontMetricsF(self._small_font())
        return max((metrics.horizontalAdvance(text) for text in texts), default=0.0)

    def _plot(self) -> QRectF:
        metrics = QFontMetricsF(self._small_font())
        height = metrics.height()
        if self.horizontal:
            left = min(self.width() * 0.42, self._label_width([b.label for b in self.bars]) + 12)
            right = self._label_width([b.text for b in self.bars]) + 12
            return QRectF(left, 6, max(10.0, self.width() - left - right), self.height() - 12)
        top = self._top_value()
        ticks = [self.axis_label(top * step / TICKS) for step in range(TICKS + 1)]
        left = self._label_width(ticks) + 2 * AXIS_GAP
        right = 10.0
        if self.line is not None:
            line = self.line
            right = self._label_width(
                [
                    line.label(line.low + (line.high - line.low) * s / TICKS)
                    for s in range(TICKS + 1)
                ]
            )
            right += 2 * AXIS_GAP
        header = height + 8 if self.line is not None and self.line.caption else 8
        return QRectF(
            left, header, self.width() - left - right, self.height() - header - height - 10
        )

    def _slot(self, index: int) -> QRectF:
        plot = self._plot()
        count = max(1, len(self.bars))
        if self.horizontal:
            size = plot.height() / count
            return QRectF(0, plot.top() + index * size, self.width(), size)
        size = plot.width() / count
        return QRectF(plot.left() + index * size, plot.top(), size, plot.height())

    def _bar_rect(self, index: int) -> QRectF:
        plot = self._plot()
        slot = self._slot(index)
        share = max(0.0, self.bars[index].value) / self._top_value()
        if self.horizontal:
            thickness = min(26.0, slot.height() * 0.64)
            length = share * plot.width()
            return QRectF(plot.left(), slot.center().y() - thickness / 2, length, thickness)
        thickness = min(48.0, slot.width() * 0.6)
        length = share * plot.height()
        return QRectF(slot.center().x() - thickness / 2, plot.bottom() - length, thickness, length)

    def index_at(self, point: QPointF) -> int | None:
        for index in range(len(self.bars)):
            slot = self._slot(index)
            plot = self._plot()
            if self.horizontal:
                inside = slot.top() <= point.y() < slot.bottom()
            else:
                inside = slot.left() <= point.x() < slot.right() and point.y() <= plot.bottom() + 30
            if inside:
                return index
        return None

    def bar_centre(self, index: int) -> QPointF:
        """Where to click bar ``index`` (its middle, or its base when it is too short)."""
        rect = self._bar_rect(index)
        if self.horizontal:
            return QPointF(rect.left() + max(rect.width(), 4.0) / 2, rect.center().y())
        return QPointF(rect.center().x(), rect.bottom() - max(rect.height(), 4.0) / 2)

    # --- painting -----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        painter.setFont(self._small_font())
        if not self.bars:
            painter.setPen(QColor(GREY))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        if self.horizontal:
            self._paint_horizontal(painter)
        else:
            self._paint_vertical(painter)
        painter.end()

    def _highlight(self, painter: QPainter, index: int) -> None:
        bar = self.bars[index]
        if bar.key == self.selected or index == self.hovered:
            painter.fillRect(self._slot(index), QColor(HOVER))

    def _fill(self, painter: QPainter, index: int) -> None:
        rect = self._bar_rect(index)
        colour = QColor(self.bars[index].colour)
        if index == self.hovered:
            colour = colour.darker(115)
        path = QPainterPath()
        path.addRoundedRect(rect, 2.5, 2.5)
        painter.fillPath(path, colour)

    def _paint_vertical(self, painter: QPainter) -> None:
        plot = self._plot()
        top = self._top_value()
        for index in range(len(self.bars)):
            self._highlight(painter, index)
        for step in range(TICKS + 1):
            y = plot.bottom() - plot.height() * step / TICKS
            painter.setPen(QPen(QColor(GRID), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(QColor(GREY))
            painter.drawText(
                QRectF(0, y - 9, plot.left() - AXIS_GAP, 18),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self.axis_label(top * step / TICKS),
            )
        metrics = QFontMetricsF(painter.font())
        for index, bar in enumerate(self.bars):
            self._fill(painter, index)
            slot = self._slot(index)
            painter.setPen(QColor(GREY))
            if bar.text and metrics.horizontalAdvance(bar.text) <= slot.width() - 4:
                rect = self._bar_rect(index)
                painter.drawText(
                    QRectF(slot.left(), rect.top() - 20, slot.width(), 18),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                    bar.text,
                )
            painter.drawText(
                QRectF(slot.left() - 4, plot.bottom() + 4, slot.width() + 8, 20),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                bar.label,
            )
        if self.line is not None:
            self._paint_line(painter, self.line)

    def _line_y(self, line: LineSeries, value: float) -> float:
        plot = self._plot()
        span = line.high - line.low
        share = (value - line.low) / span if span > 0 else 1.0
        return plot.bottom() - max(0.0, min(1.0, share)) * plot.height()

    def _paint_line(self, painter: QPainter, line: LineSeries) -> None:
        plot = self._plot()
        colour = QColor(line.colour)
        painter.setPen(colour)
        for step in range(TICKS + 1):
            value = line.low + (line.high - line.low) * step / TICKS
            y = self._line_y(line, value)
            painter.drawText(
                QRectF(plot.right() + AXIS_GAP, y - 9, self.width() - plot.right(), 18),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                line.label(value),
            )
        if line.target is not None:
            y = self._line_y(line, line.target)
            painter.setPen(QPen(colour, 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        points = [
            QPointF(self._slot(i).center().x(), self._line_y(line, v))
            for i, v in enumerate(line.values)
        ]
        painter.setPen(QPen(colour, 2))
        for start, end in zip(points, points[1:], strict=False):
            painter.drawLine(start, end)
        painter.setBrush(QColor("white"))
        for point in points:
            painter.drawEllipse(point, 3.5, 3.5)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if line.caption:
            painter.drawText(
                QRectF(plot.left(), 0, plot.width(), plot.top() - 4),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                line.caption,
            )

    def _paint_horizontal(self, painter: QPainter) -> None:
        plot = self._plot()
        metrics = QFontMetricsF(painter.font())
        for index, bar in enumerate(self.bars):
            self._highlight(painter, index)
            self._fill(painter, index)
            slot = self._slot(index)
            rect = self._bar_rect(index)
            painter.setPen(QColor("#303030"))
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, plot.left() - 10)
            painter.drawText(
                QRectF(4, slot.top(), plot.left() - 10, slot.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            if bar.text:
                painter.setPen(QColor(GREY))
                painter.drawText(
                    QRectF(rect.right() + AXIS_GAP, slot.top(), self.width(), slot.height()),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    bar.text,
                )

    # --- mouse --------------------------------------------------------------------------

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        index = self.index_at(event.position())
        if index != self.hovered:
            self.hovered = index
            self.update()
        if index is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), self.bars[index].tooltip, self)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        self.hovered = None
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton:
            return
        index = self.index_at(event.position())
        if index is not None:
            self.bar_clicked.emit(self.bars[index].key)
