"""Calendar helpers: month arithmetic, contract anniversaries, Paris office hours in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from desktop.domain.clock import PARIS


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def boundaries(start: date, initial: int, renewal: int, until: date) -> list[date]:
    """Anniversaries of a contract (ends of its periods) up to the first after ``until``."""
    result = []
    months = initial
    while True:
        boundary = add_months(start, months)
        result.append(boundary)
        if boundary > until:
            return result
        months += renewal


@lru_cache(maxsize=8192)
def _paris_offset(day: date) -> timedelta:
    offset = datetime.combine(day, time(12), tzinfo=PARIS).utcoffset()
    assert offset is not None
    return offset


def paris_time(day: date, minutes: int) -> datetime:
    """``minutes`` after midnight, Paris time, as an aware UTC datetime.

    Meant for daytime: the offset is the one at noon (clocks change at night).
    """
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return midnight + timedelta(minutes=minutes) - _paris_offset(day)


def today_in_paris() -> date:
    return datetime.now(PARIS).date()
