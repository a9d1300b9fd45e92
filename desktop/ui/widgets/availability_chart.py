"""A bar chart of monthly availability, drawn with QPainter (no chart library to ship).

One bar per month: the average availability of the clients with a failure
notification that month (blue), a red mark at the lowest one, a dashed line at
the objective (99 %). Clicking a month selects it (``month_clicked``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_CEILING, Decimal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.services.sla import MonthAvailability
from desktop.ui.formatting import BLUE, GREY, RED

LEFT, RIGHT, TOP, BOTTOM = 52, 12, 24, 34
FLOOR_STEP = Decimal(1)
TICKS = 4


SHORT_MONTHS = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
)  # fmt: skip


def month_label(month: date) -> str:
    """« janv. 26 »: the month's usual French abbreviation and the year's last two digits."""
    return f"{SHORT_MONTHS[month.month - 1]} {month:%y}"


def floor_of(values: Sequence[MonthAvailability], target: Decimal) -> Decimal:
    """The bottom of the scale, at least a percent under the lowest value and the
    target, so that its four steps up to 100 % fall on whole percents."""
    lowest = min([target, *(v.lowest for v in values)])
    span = (Decimal(100) - lowest + FLOOR_STEP) / TICKS
    return max(Decimal(0), Decimal(100) - TICKS * span.to_integral_value(rounding=ROUND_CEILING))


class AvailabilityChart(QWidget):
    month_clicked = Signal(object)  # date: the first day of the month

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: list[MonthAvailability] = []
        self.target = Decimal(99)
        self.selected: date | None = None
        self.setMinimumHeight(190)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Cliquez sur un mois pour afficher son détail.")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(720, 210)

    def set_values(
        self, values: Sequence[MonthAvailability], target: Decimal, selected: date | None
    ) -> None:
        self.values = list(values)
        self.target = target
        self.selected = selected
        self.update()

    # --- geometry -----------------------------------------------------------------------

    def _plot(self) -> QRectF:
        return QRectF(LEFT, TOP, self.width() - LEFT - RIGHT, self.height() - TOP - BOTTOM)

    def _slot(self, index: int) -> QRectF:
        plot = self._plot()
        width = plot.width() / max(1, len(self.values))
        return QRectF(plot.left() + index * width, plot.top(), width, plot.height())

    def _y(self, value: Decimal, floor: Decimal) -> float:
        plot = self._plot()
        share = float((value - floor) / (Decimal(100) - floor)) if floor < 100 else 1.0
        return plot.bottom() - max(0.0, min(1.0, share)) * plot.height()

    # --- painting -----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        if not self.values:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Aucune donnée")
            return
        floor = floor_of(self.values, self.target)
        self._axes(painter, floor)
        for index, value in enumerate(self.values):
            self._bar(painter, index, value, floor)
        self._target(painter, floor)
        painter.end()

    def _axes(self, painter: QPainter, floor: Decimal) -> None:
        plot = self._plot()
        painter.setPen(QPen(QColor("#d0d0d0"), 1))
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        painter.setFont(small)
        for step in range(TICKS + 1):
            value = floor + (Decimal(100) - floor) * step / TICKS
            y = self._y(value, floor)
            painter.setPen(QPen(QColor("#e4e4e4"), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(QColor(GREY))
            label = f"{value:.0f} %"
            painter.drawText(
                QRectF(0, y - 8, LEFT - 6, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )

    def _bar(self, painter: QPainter, index: int, value: MonthAvailability, floor: Decimal) -> None:
        slot = self._slot(index)
        plot = self._plot()
        width = slot.width() * 0.56
        left = slot.center().x() - width / 2
        top = self._y(value.average, floor)
        if value.month == self.selected:
            painter.fillRect(slot, QColor("#eef3fb"))
        colour = QColor(BLUE if value.average >= self.target else RED)
        painter.fillRect(QRectF(left, top, width, plot.bottom() - top), colour)
        if value.rows:
            low = self._y(value.lowest, floor)
            painter.setPen(QPen(QColor(RED), 2.5))
            painter.drawLine(QPointF(left - 3, low), QPointF(left + width + 3, low))
        painter.setPen(QColor(GREY))
        painter.drawText(
            QRectF(slot.left(), plot.bottom() + 4, slot.width(), BOTTOM - 6),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            month_label(value.month),
        )

    def _target(self, painter: QPainter, floor: Decimal) -> None:
        plot = self._plot()
        y = self._y(self.target, floor)
        pen = QPen(QColor(RED), 1, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.drawText(
            QRectF(plot.left(), 2, plot.width(), TOP - 4),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            f"Objectif {self.target:.0f} %  ·  barre : moyenne des clients touchés  ·  "
            "trait rouge : le plus bas",
        )

    # --- clicks -------------------------------------------------------------------------

    def month_at(self, x: float) -> date | None:
        for index, value in enumerate(self.values):
            slot = self._slot(index)
            if slot.left() <= x < slot.right():
                return value.month
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        month = self.month_at(event.position().x())
        if month is not None:
            self.month_clicked.emit(month)
