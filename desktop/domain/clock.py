"""Business clock: instants are stored in UTC, "today" is the date in Europe/Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
"""Business time zone: "today", and dates and times shown to users."""


def utc_now() -> datetime:
    """The current instant, aware, in UTC (what is stored)."""
    return datetime.now(UTC)


def paris_today(now: datetime | None = None) -> date:
    """The business date in Paris at ``now`` (default: the current instant).

    A naive ``now`` is taken as Paris time, like :func:`as_utc`.
    """
    instant = utc_now() if now is None else as_utc(now)
    return instant.astimezone(PARIS).date()


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken as Paris time (what users type).

    A naive time repeated when clocks go back (e.g. 02:30 on the last Sunday of
    October) is the first one, summer time; one skipped when they go forward
    (02:30 on the last Sunday of March) is read with the winter offset.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=PARIS)
    return value.astimezone(UTC)
