"""Calendar helpers: Paris office hours in UTC, today in Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from desktop.domain.clock import PARIS


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
