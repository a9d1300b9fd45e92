"""Support hours: when the provider's support works, and deadlines counted in support time.

Contract rules implemented here:

* support handles failures Monday–Friday, 9:00–18:00 Europe/Paris, French public
  holidays off (optionally the Alsace-Moselle ones too: Good Friday and 26 December);
* restoration objective: :data:`RESTORATION_OBJECTIVE` (8 support hours) after receipt;
* equipment replacement: :data:`REPLACEMENT_OBJECTIVE` (96 hours, wall clock) after
  the failure is found.

Opening hours are Paris wall-clock times, day by day: 9:00–18:00 local is always nine
hours (clocks change at night). Arithmetic is done on UTC instants so that durations are
real elapsed time even for unusual opening hours; results are aware Paris datetimes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from desktop.domain.clock import PARIS

RESTORATION_OBJECTIVE = timedelta(hours=8)
"""Default restoration objective, in support time after the failure is received."""

REPLACEMENT_OBJECTIVE = timedelta(hours=96)
"""Equipment replacement objective, in elapsed (wall-clock) time after the failure is found."""

_ALSACE_MOSELLE_CODES = ("57", "6AE", "Alsace-Moselle")
"""Subdivision codes used by the ``holidays`` package for Alsace-Moselle, newest first."""

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=1)
def _alsace_moselle_subdivision() -> str:
    """The Alsace-Moselle subdivision code known to the installed ``holidays`` version."""
    france = holidays.country_holidays("FR", years=())
    known = set(france.subdivisions)
    known.update(getattr(france, "subdivisions_aliases", {}))
    for code in _ALSACE_MOSELLE_CODES:
        if code in known:
            return code
    raise RuntimeError("Alsace-Moselle subdivision missing from the holidays package")


@lru_cache(maxsize=256)
def _holidays_of(year: int, alsace_moselle: bool) -> frozenset[date]:
    """French public holidays of ``year`` (cached per year and option)."""
    subdiv = _alsace_moselle_subdivision() if alsace_moselle else None
    return frozenset(holidays.country_holidays("FR", subdiv=subdiv, years=year).keys())


def _require_aware(value: datetime, name: str) -> None:
    """Raise ``ValueError`` if ``value`` is naive (the API only takes aware datetimes)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"La date « {name} » doit comporter un fuseau horaire (datetime aware) : {value}."
        )


@dataclass(frozen=True)
class SupportCalendar:
    """Support opening hours: workdays from ``opens_at`` to ``closes_at`` (Paris time).

    The opening window of a day is half-open, ``[opens_at, closes_at)``: support is open
    at 9:00 and closed at 18:00. Public holidays (France, plus Alsace-Moselle's when
    ``alsace_moselle``) and days outside ``workdays`` (Monday = 0) are closed.
    """

    opens_at: time = time(9, 0)
    closes_at: time = time(18, 0)
    alsace_moselle: bool = False
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})

    def __post_init__(self) -> None:
        """Check the opening hours and workdays."""
        if self.opens_at.tzinfo is not None or self.closes_at.tzinfo is not None:
            raise ValueError("Les heures d'ouverture s'entendent heure de Paris, sans fuseau.")
        if self.opens_at >= self.closes_at:
            raise ValueError(
                f"L'heure d'ouverture ({self.opens_at:%H:%M}) doit précéder "
                f"l'heure de fermeture ({self.closes_at:%H:%M})."
            )
        if not self.workdays or any(day not in range(7) for day in self.workdays):
            raise ValueError(
                "Les jours ouvrés doivent être des numéros de 0 (lundi) à 6 (dimanche)."
            )

    @classmethod
    def default(cls) -> SupportCalendar:
        """The contract's calendar: Monday–Friday 9:00–18:00, French public holidays off."""
        return cls()

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is a French public holiday (Alsace-Moselle ones if enabled)."""
        return day in _holidays_of(day.year, self.alsace_moselle)

    def is_workday(self, day: date) -> bool:
        """Whether support works on ``day``: a workday of the week and not a holiday."""
        return day.weekday() in self.workdays and not self.is_holiday(day)

    def is_open(self, at: datetime) -> bool:
        """Whether support is open at the instant ``at`` (aware); 18:00 itself is closed."""
        _require_aware(at, "at")
        instant = at.astimezone(UTC)
        window = self._window(instant.astimezone(PARIS).date())
        return window is not None and window[0] <= instant < window[1]

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant ``duration`` of support time after ``start`` (the deadline), in Paris.

        Support time before the next opening does not count: a start outside opening
        hours counts from the next opening. ``add(start, 0)`` is ``start`` itself (in
        Paris time), even when support is closed. A deadline landing exactly at closing
        time stays at closing time that day (18:00, not 9:00 the next workday).
        """
        _require_aware(start, "start")
        if duration < _ZERO:
            raise ValueError(f"La durée ne peut pas être négative : {duration}.")
        cursor = start.astimezone(UTC)
        if duration == _ZERO:
            return cursor.astimezone(PARIS)
        remaining = duration
        for opens, closes in self._windows_from(cursor.astimezone(PARIS).date()):
            if cursor >= closes:
                continue
            begin = max(cursor, opens)
            available = closes - begin
            if remaining <= available:
                return (begin + remaining).astimezone(PARIS)
            remaining -= available
        raise AssertionError("unreachable: the windows never end")  # pragma: no cover

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Support time elapsed from ``a`` to ``b`` (aware); zero if ``b <= a``.

        Inverse of :meth:`add`: ``between(a, add(a, d)) == d`` for every ``d >= 0``.
        """
        _require_aware(a, "a")
        _require_aware(b, "b")
        start, end = a.astimezone(UTC), b.astimezone(UTC)
        total = _ZERO
        if end <= start:
            return total
        for opens, closes in self._windows_from(start.astimezone(PARIS).date()):
            if opens >= end:
                break
            overlap = min(closes, end) - max(opens, start)
            if overlap > _ZERO:
                total += overlap
        return total

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        """The UTC opening window of ``day``, or ``None`` if support is closed that day."""
        if not self.is_workday(day):
            return None
        opens = datetime.combine(day, self.opens_at, tzinfo=PARIS).astimezone(UTC)
        closes = datetime.combine(day, self.closes_at, tzinfo=PARIS).astimezone(UTC)
        if closes <= opens:  # Only for hours inside a DST gap: treat the day as closed.
            return None
        return opens, closes

    def _windows_from(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The opening windows of ``day`` and the following days, in order, endlessly."""
        while True:
            window = self._window(day)
            if window is not None:
                yield window
            day += _ONE_DAY


def restoration_deadline(
    received_at: datetime,
    objective: timedelta = RESTORATION_OBJECTIVE,
    calendar: SupportCalendar | None = None,
) -> datetime:
    """Restoration deadline: ``objective`` support hours after the failure is received."""
    return (calendar or SupportCalendar.default()).add(received_at, objective)


def replacement_deadline(
    found_at: datetime, objective: timedelta = REPLACEMENT_OBJECTIVE
) -> datetime:
    """Equipment replacement deadline: ``objective`` elapsed hours after the failure is found.

    Wall-clock time, not support time: nights, weekends and holidays count. The hours
    are real elapsed hours (a DST change in between shifts the Paris time by one hour).
    """
    _require_aware(found_at, "found_at")
    return (found_at.astimezone(UTC) + objective).astimezone(PARIS)
