"""Month arithmetic for contract periods, anchored on the service start date.

Convention: a period of N months starting on day S ends the day before the
same day N months later; when that month is shorter, the day is clamped to
its last day (S = 31 January + 1 month → 28 or 29 February, S = 29 February
+ 12 months → 28 February). Every boundary is computed from S itself, never
from the previous boundary, so a contract started on the 31st keeps its
31sts: months do not drift.
"""

from __future__ import annotations

from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, last_day_of_month(year, month)))


def last_day_of_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def month_index(start: date, day: date) -> int:
    """The contract month ``day`` falls in, counted from 0 at ``start``.

    Month k runs from ``add_months(start, k)`` to the day before
    ``add_months(start, k + 1)``. ``day`` must not precede ``start``.
    """
    if day < start:
        raise ValueError(f"{day} precedes the start {start}")
    index = (day.year - start.year) * 12 + day.month - start.month
    while add_months(start, index) > day:
        index -= 1
    while add_months(start, index + 1) <= day:
        index += 1
    return index


def anniversaries(start: date, initial: int, renewal: int, until: date) -> list[date]:
    """The first days of the periods after the first one, up to the first after ``until``.

    ``add_months(start, initial)``, then every ``renewal`` months after it.
    """
    result = []
    months = initial
    while True:
        boundary = add_months(start, months)
        result.append(boundary)
        if boundary > until:
            return result
        months += renewal


MONTH_NAMES = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip


def month_name(day: date) -> str:
    """The month of ``day`` in French: date(2026, 3, 15) → « mars 2026 »."""
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"
