"""Business clock: the Paris date of an instant, and naive datetimes read as Paris time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from desktop.domain.clock import PARIS, as_utc, paris_today, utc_now


def _utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "today"),
    [
        # Sunday 29 March 2026: clocks go forward at 01:00 UTC (UTC+1 → UTC+2).
        (_utc(2026, 3, 28, 22, 59), date(2026, 3, 28)),
        (_utc(2026, 3, 28, 23, 0), date(2026, 3, 29)),
        (_utc(2026, 3, 29, 21, 59), date(2026, 3, 29)),
        (_utc(2026, 3, 29, 22, 0), date(2026, 3, 30)),
        # Sunday 25 October 2026: clocks go back at 01:00 UTC (UTC+2 → UTC+1).
        (_utc(2026, 10, 24, 21, 59), date(2026, 10, 24)),
        (_utc(2026, 10, 24, 22, 0), date(2026, 10, 25)),
        (_utc(2026, 10, 25, 22, 59), date(2026, 10, 25)),
        (_utc(2026, 10, 25, 23, 0), date(2026, 10, 26)),
    ],
)
def test_paris_today_around_midnight_in_dst_weeks(now: datetime, today: date) -> None:
    assert paris_today(now) == today


def test_paris_today_defaults_to_now() -> None:
    before = datetime.now(PARIS).date()
    today = paris_today()
    assert today in {before, datetime.now(PARIS).date()}


def test_utc_now_is_aware_utc() -> None:
    now = utc_now()
    assert now.tzinfo is UTC
    assert abs(datetime.now(UTC) - now) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("naive", "utc"),
    [
        (datetime(2026, 1, 15, 9, 30), _utc(2026, 1, 15, 8, 30)),  # noqa: DTZ001 - winter
        (datetime(2026, 7, 1, 9, 30), _utc(2026, 7, 1, 7, 30)),  # noqa: DTZ001 - summer
        (datetime(2026, 3, 29, 0, 30), _utc(2026, 3, 28, 23, 30)),  # noqa: DTZ001
        (datetime(2026, 3, 29, 3, 30), _utc(2026, 3, 29, 1, 30)),  # noqa: DTZ001
        # Skipped (02:00-03:00 does not exist): read with the winter offset.
        (datetime(2026, 3, 29, 2, 30), _utc(2026, 3, 29, 1, 30)),  # noqa: DTZ001
        # Repeated (02:00-03:00 happens twice): the first one, summer time.
        (datetime(2026, 10, 25, 2, 30), _utc(2026, 10, 25, 0, 30)),  # noqa: DTZ001
        (datetime(2026, 10, 25, 3, 30), _utc(2026, 10, 25, 2, 30)),  # noqa: DTZ001
    ],
)
def test_as_utc_reads_naive_values_as_paris_time(naive: datetime, utc: datetime) -> None:
    result = as_utc(naive)
    assert result == utc
    assert result.tzinfo is UTC


def test_as_utc_converts_aware_values() -> None:
    assert as_utc(_utc(2026, 7, 1, 7, 30)) == _utc(2026, 7, 1, 7, 30)
    new_york = datetime(2026, 7, 1, 3, 30, tzinfo=timezone(timedelta(hours=-4)))
    assert as_utc(new_york) == _utc(2026, 7, 1, 7, 30)
    assert as_utc(new_york).tzinfo is UTC


def test_paris_today_reads_a_naive_value_as_paris_time() -> None:
    assert paris_today(datetime(2026, 3, 29, 0, 30)) == date(2026, 3, 29)  # noqa: DTZ001
