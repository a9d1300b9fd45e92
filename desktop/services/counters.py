"""Numbered series (client codes, contracts…): gap-free counters locked while used."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.db.models import Counter
from desktop.errors import UserError


def next_value(session: Session, series: str) -> int:
    """Take the next number of a series, its counter row locked until commit."""
    return take_values(session, series, 1)


def take_values(session: Session, series: str, count: int) -> int:
    """Take ``count`` consecutive numbers of a series (the first is returned), its
    counter row locked until commit: a rollback gives them all back, so no gap."""
    counter = session.get(Counter, series, with_for_update=True)
    if counter is None:
        try:
            with session.begin_nested():  # another desktop may create it at the same time
                session.add(Counter(series=series, next_value=1))
        except IntegrityError:
            pass
        counter = session.get(Counter, series, with_for_update=True, populate_existing=True)
    if counter is None:  # pragma: no cover - the row was just inserted
        raise UserError("Impossible d'attribuer un numéro : réessayez.")
    value = counter.next_value
    counter.next_value = value + count
    return value


def next_number(session: Session, series: str, number_format: str, day: date) -> str:
    """The next number of a yearly series, formatted: ``C{year}-{seq:05d}`` → C2026-00042.

    The count starts again at 1 each year (one counter row per series and year).
    """
    return number_format.format(year=day.year, seq=next_value(session, f"{series}-{day.year}"))


def series_key(series: str, number_format: str, day: date) -> str:
    """The counter a number format draws from: one per year when the format shows
    the year (``F{year}-{seq:06d}``), else one continuous series."""
    return f"{series}-{day.year}" if "{year" in number_format else series
