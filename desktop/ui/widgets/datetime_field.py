"""A moment typed the French way, in Paris time: « 22/05/2026 17:30 » (or « 17h30 »).

Incidents are timed to the minute: when the failure was notified, taken in
hand, restored. The field is a line edit; :func:`datetime_value` validates its
text into an aware datetime in Europe/Paris (None when empty and allowed).
"""

from __future__ import annotations

import re
from datetime import datetime, time

from PySide6.QtWidgets import QLineEdit, QWidget

from desktop.domain.clock import PARIS
from desktop.domain.errors import InvalidValue
from desktop.ui.formatting import french_datetime
from desktop.ui.widgets.date_field import parse_date
from desktop.ui.widgets.validated_form import Validator

FORMAT_HINT = "jj/mm/aaaa hh:mm"
_MOMENT = re.compile(r"(?P<day>\S+)(?:\s+|T)(?P<hour>\d{1,2})\s*[:hH]\s*(?P<minute>\d{2})?")


def parse_datetime(text: str) -> datetime:
    """« 22/05/2026 17:30 », « 22/05/2026 17h30 », « 22/05/2026 17h », ISO
    « 2026-05-22T17:30 »; the date alone means midnight. Paris time, aware."""
    value = text.strip()
    match = _MOMENT.fullmatch(value)
    day = parse_date(match["day"] if match else value)
    hour = int(match["hour"]) if match else 0
    minute = int(match["minute"] or 0) if match else 0
    if hour > 23 or minute > 59:
        raise InvalidValue(f"Cette heure n'existe pas : {value}.")
    return datetime.combine(day, time(hour, minute), PARIS)


def read_datetime(text: str, required: str | None = None) -> datetime | None:
    if not text.strip():
        if required is not None:
            raise InvalidValue(required)
        return None
    try:
        return parse_datetime(text)
    except InvalidValue as exc:
        if "format" in exc.message:
            raise InvalidValue(
                f"Date et heure attendues au format {FORMAT_HINT} (par exemple 22/05/2026 17:30)."
            ) from None
        raise


def datetime_value(required: str | None = None) -> Validator:
    """Validator of a :class:`DateTimeField`: empty is None, or ``required`` as the message."""
    return lambda text: read_datetime(text, required)


class DateTimeField(QLineEdit):
    """A moment as text, ``jj/mm/aaaa hh:mm`` in Paris time."""

    def __init__(self, value: datetime | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(FORMAT_HINT)
        self.setMaxLength(20)
        self.setClearButtonEnabled(True)
        width = self.fontMetrics().horizontalAdvance("00/00/0000 00:000") + 40
        self.setMinimumWidth(width)
        self.setMaximumWidth(width + 40)
        self.set_moment(value)

    def moment(self) -> datetime | None:
        """The moment typed, None when empty or not a moment."""
        try:
            return read_datetime(self.text())
        except InvalidValue:
            return None

    def set_moment(self, value: datetime | None) -> None:
        self.setText(french_datetime(value))
