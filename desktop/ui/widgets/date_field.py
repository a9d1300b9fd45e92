"""A date typed the French way (22/11/2026), or picked in a calendar; empty is allowed.

A :class:`DateField` is a line edit: the forms read its text and validate it with
:func:`date_value`, which returns a :class:`datetime.date` (or None when empty and
not required) or says, in French, what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import date

from PySide6.QtCore import QDate, QPoint, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QKeyEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QCalendarWidget, QLineEdit, QMenu, QWidget, QWidgetAction

from desktop.domain.errors import InvalidValue
from desktop.ui.formatting import FRENCH, french_date
from desktop.ui.widgets.validated_form import Validator

FORMAT_HINT = "jj/mm/aaaa"
_SEPARATED = re.compile(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{2}|\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_date(text: str) -> date:
    """« 22/11/2026 », « 22/11/26 », « 22.11.2026 », « 22112026 » or ISO « 2026-11-22 »."""
    value = text.strip()
    if iso := _ISO.fullmatch(value):
        year, month, day = (int(part) for part in iso.groups())
    elif separated := _SEPARATED.fullmatch(value):
        day, month, year = (int(part) for part in separated.groups())
    elif value.isdigit() and len(value) in (6, 8):
        day, month, year = int(value[:2]), int(value[2:4]), int(value[4:])
    else:
        raise InvalidValue(f"Date attendue au format {FORMAT_HINT} (par exemple 22/11/2026).")
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidValue(f"Cette date n'existe pas : {value}.") from None


def read_date(text: str, required: str | None = None) -> date | None:
    """The date typed; empty is None, or refused with the message ``required``."""
    if not text.strip():
        if required is not None:
            raise InvalidValue(required)
        return None
    return parse_date(text)


def date_value(required: str | None = None) -> Validator:
    """Validator of a :class:`DateField`: empty is None, or ``required`` as the message."""
    return lambda text: read_date(text, required)


def _calendar_icon() -> QIcon:
    """A small calendar drawn here: no icon theme is needed on Windows."""
    pixmap = QPixmap(16, 16)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    grey = QColor("#555555")
    painter.setPen(QPen(grey, 1))
    painter.setBrush(QColor("white"))
    painter.drawRoundedRect(QRectF(1.5, 2.5, 13, 12), 1.5, 1.5)
    painter.fillRect(QRectF(2, 3, 12, 3), QColor("#c0262d"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(grey)
    for row in range(2):
        for column in range(3):
            painter.drawRect(QRectF(4 + column * 3, 8 + row * 3, 2, 2))
    painter.end()
    return QIcon(pixmap)


class DateField(QLineEdit):
    """A date as text (``jj/mm/aaaa``); the calendar opens from its icon, Alt+↓ or F4."""

    def __init__(self, value: dt.date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(FORMAT_HINT)
        self.setMaxLength(10)
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 60)
        self.setMaximumWidth(self.minimumWidth() + 40)
        self.calendar_action = QAction(_calendar_icon(), "Choisir dans le calendrier", self)
        self.calendar_action.setToolTip("Choisir dans le calendrier (Alt+↓)")
        self.calendar_action.triggered.connect(self.show_calendar)
        self.addAction(self.calendar_action, QLineEdit.ActionPosition.TrailingPosition)
        self.set_date(value)

    def date(self) -> dt.date | None:
        """The date typed, None when empty or not a date."""
        try:
            return read_date(self.text())
        except InvalidValue:
            return None

    def set_date(self, value: dt.date | None) -> None:
        self.setText(french_date(value))

    def show_calendar(self) -> None:
        menu = QMenu(self)
        calendar = QCalendarWidget(menu)
        calendar.setLocale(FRENCH)
        calendar.setGridVisible(False)
        calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        current = self.date()
        if current is not None:
            calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(calendar)
        menu.addAction(holder)

        def picked(day: QDate) -> None:
            self.set_date(dt.date(day.year(), day.month(), day.day()))
            menu.close()
            self.setFocus()

        calendar.clicked.connect(picked)
        calendar.activated.connect(picked)
        menu.popup(self.mapToGlobal(QPoint(0, self.height())))
        calendar.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        alt_down = event.key() == Qt.Key.Key_Down and (
            event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if alt_down or event.key() == Qt.Key.Key_F4:
            self.show_calendar()
            return
        super().keyPressEvent(event)
