"""Support hours: opening, holidays (Alsace-Moselle too), deadlines and elapsed support time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.clock import PARIS
from desktop.domain.support_hours import (
    REPLACEMENT_OBJECTIVE,
    RESTORATION_OBJECTIVE,
    SupportCalendar,
    replacement_deadline,
    restoration_deadline,
)

DEFAULT = SupportCalendar.default()
ALSACE = SupportCalendar(alsace_moselle=True)
EIGHT_HOURS = timedelta(hours=8)


def paris(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=PARIS)


# --- the calendar itself -------------------------------------------------------------------


def test_default_is_the_contract_calendar() -> None:
    assert DEFAULT == SupportCalendar(time(9, 0), time(18, 0), False, frozenset(range(5)))
    assert isinstance(DEFAULT, SupportCalendar)


@pytest.mark.parametrize(("opens", "closes"), [(time(18, 0), time(9, 0)), (time(9, 0), time(9, 0))])
def test_opening_must_precede_closing(opens: time, closes: time) -> None:
    with pytest.raises(ValueError, match="ouverture"):
        SupportCalendar(opens_at=opens, closes_at=closes)


@pytest.mark.parametrize("workdays", [frozenset({7}), frozenset({-1, 0}), frozenset()])
def test_workdays_must_be_weekday_numbers(workdays: frozenset[int]) -> None:
    with pytest.raises(ValueError, match="jours ouvrés"):
        SupportCalendar(workdays=workdays)


def test_calendar_is_frozen_and_hashable() -> None:
    assert hash(DEFAULT) == hash(SupportCalendar())
    with pytest.raises(AttributeError):
        DEFAULT.alsace_moselle = True  # type: ignore[misc]


def test_holiday_dates_come_from_the_holidays_package() -> None:
    # Pentecost Monday 2026 is indeed a French public holiday.
    assert date(2026, 5, 25) in holidays.country_holidays("FR", years=2026)
    assert DEFAULT.is_holiday(date(2026, 5, 25))
    assert DEFAULT.is_holiday(date(2026, 7, 14))
    assert DEFAULT.is_holiday(date(2026, 1, 1))
    assert not DEFAULT.is_holiday(date(2026, 5, 26))


@pytest.mark.parametrize("day", [date(2026, 4, 3), date(2025, 12, 26), date(2024, 12, 26)])
def test_alsace_moselle_adds_good_friday_and_26_december(day: date) -> None:
    assert not DEFAULT.is_holiday(day)
    assert ALSACE.is_holiday(day)


def test_alsace_moselle_keeps_the_national_holidays() -> None:
    assert ALSACE.is_holiday(date(2026, 5, 25))
    assert ALSACE.is_holiday(date(2026, 12, 25))
    assert not ALSACE.is_holiday(date(2026, 4, 2))


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (paris(2026, 6, 3, 9, 0), True),  # Wednesday, opening
        (paris(2026, 6, 3, 8, 59, 59), False),
        (paris(2026, 6, 3, 17, 59, 59), True),
        (paris(2026, 6, 3, 18, 0), False),  # closing time is closed
        (paris(2026, 6, 6, 10, 0), False),  # Saturday
        (paris(2026, 6, 7, 10, 0), False),  # Sunday
        (paris(2026, 5, 25, 10, 0), False),  # Pentecost Monday
        (datetime(2026, 6, 3, 7, 0, tzinfo=UTC), True),  # 9:00 in Paris (summer time)
        (datetime(2026, 6, 3, 16, 0, tzinfo=UTC), False),  # 18:00 in Paris
        (datetime(2026, 1, 7, 8, 0, tzinfo=UTC), True),  # 9:00 in Paris (winter time)
        (datetime(2026, 1, 7, 7, 59, tzinfo=UTC), False),
    ],
)
def test_is_open(at: datetime, open_: bool) -> None:
    assert DEFAULT.is_open(at) is open_


def test_alsace_moselle_is_closed_on_good_friday() -> None:
    assert DEFAULT.is_open(paris(2026, 4, 3, 10, 0))
    assert not ALSACE.is_open(paris(2026, 4, 3, 10, 0))


def test_custom_hours_and_workdays() -> None:
    saturday_mornings = SupportCalendar(time(8, 30), time(12, 0), workdays=frozenset({5}))
    assert saturday_mornings.is_open(paris(2026, 6, 6, 8, 30))
    assert not saturday_mornings.is_open(paris(2026, 6, 3, 10, 0))
    assert saturday_mornings.add(paris(2026, 6, 6, 11, 0), timedelta(hours=2)) == paris(
        2026, 6, 13, 9, 30
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: DEFAULT.is_open(datetime(2026, 6, 3, 10, 0)),  # noqa: DTZ001
        lambda: DEFAULT.add(datetime(2026, 6, 3, 10, 0), EIGHT_HOURS),  # noqa: DTZ001
        lambda: DEFAULT.between(datetime(2026, 6, 3, 10, 0), paris(2026, 6, 4)),  # noqa: DTZ001
        lambda: DEFAULT.between(paris(2026, 6, 3), datetime(2026, 6, 4, 10, 0)),  # noqa: DTZ001
    ],
)
def test_naive_datetimes_are_refused(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match="aware"):
        call()


# --- add: deadlines ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        # Wednesday 10:00 + 8 h: exactly at closing, stays at 18:00 that day.
        (paris(2026, 6, 3, 10, 0), paris(2026, 6, 3, 18, 0)),
        # One second later spills one second into the next morning.
        (paris(2026, 6, 3, 10, 0, 1), paris(2026, 6, 4, 9, 0, 1)),
        # Received at 8:00: counted from 9:00.
        (paris(2026, 6, 3, 8, 0), paris(2026, 6, 3, 17, 0)),
        # Received after closing: counted from 9:00 the next workday.
        (paris(2026, 6, 3, 19, 0), paris(2026, 6, 4, 17, 0)),
        # Received at 18:00 exactly: nothing left that day.
        (paris(2026, 6, 3, 18, 0), paris(2026, 6, 4, 17, 0)),
        # Friday 14:00: 4 h on Friday, 4 h on Monday.
        (paris(2026, 6, 5, 14, 0), paris(2026, 6, 8, 13, 0)),
        # Friday 17:30 before Pentecost Monday: 30 min Friday, then Tuesday 9:00 → 16:30.
        (paris(2026, 5, 22, 17, 30), paris(2026, 5, 26, 16, 30)),
        # Received on Saturday before Pentecost Monday: Tuesday 9:00 → 17:00.
        (paris(2026, 5, 23, 10, 0), paris(2026, 5, 26, 17, 0)),
        # Received on Sunday: Monday 9:00 → 17:00.
        (paris(2026, 6, 7, 23, 0), paris(2026, 6, 8, 17, 0)),
        # Wednesday 13 May before Ascension Thursday 14 May: 5 h Wed, 3 h Fri.
        (paris(2026, 5, 13, 13, 0), paris(2026, 5, 15, 12, 0)),
        # Monday 13 July 16:00 before the 14 July: 2 h Monday, 6 h Wednesday.
        (paris(2026, 7, 13, 16, 0), paris(2026, 7, 15, 15, 0)),
        # UTC input, answered in Paris: 2026-06-03 12:00 UTC = 14:00 Paris.
        (datetime(2026, 6, 3, 12, 0, tzinfo=UTC), paris(2026, 6, 4, 13, 0)),
    ],
)
def test_restoration_deadline(received: datetime, deadline: datetime) -> None:
    result = DEFAULT.add(received, EIGHT_HOURS)
    assert result == deadline
    assert result.tzinfo is PARIS
    assert result.utcoffset() == deadline.utcoffset()
    assert restoration_deadline(received) == deadline
    assert RESTORATION_OBJECTIVE == EIGHT_HOURS


def test_alsace_moselle_good_friday_deadline() -> None:
    # Thursday 2 April 2026 17:00: 1 h Thursday. Good Friday 3 April, Easter Monday 6 April.
    received = paris(2026, 4, 2, 17, 0)
    assert DEFAULT.add(received, EIGHT_HOURS) == paris(2026, 4, 3, 16, 0)
    assert ALSACE.add(received, EIGHT_HOURS) == paris(2026, 4, 7, 16, 0)
    assert restoration_deadline(received, calendar=ALSACE) == paris(2026, 4, 7, 16, 0)


def test_alsace_moselle_26_december_deadline() -> None:
    # Wednesday 24 December 2025 17:00: 1 h, Christmas Thursday, 26 December is a Friday.
    received = paris(2025, 12, 24, 17, 0)
    assert DEFAULT.add(received, EIGHT_HOURS) == paris(2025, 12, 26, 16, 0)
    assert ALSACE.add(received, EIGHT_HOURS) == paris(2025, 12, 29, 16, 0)


def test_deadline_across_the_spring_dst_weekend() -> None:
    # Clocks go forward on Sunday 29 March 2026; 9:00–18:00 local is still 9 h.
    received = paris(2026, 3, 27, 14, 0)
    deadline = DEFAULT.add(received, EIGHT_HOURS)
    assert deadline == paris(2026, 3, 30, 13, 0)
    assert deadline.utcoffset() == timedelta(hours=2)
    assert received.utcoffset() == timedelta(hours=1)
    assert DEFAULT.add(paris(2026, 3, 30, 9, 0), timedelta(hours=9)) == paris(2026, 3, 30, 18, 0)


def test_deadline_across_the_autumn_dst_weekend() -> None:
    # Clocks go back on Sunday 25 October 2026.
    received = paris(2026, 10, 23, 14, 0)
    deadline = DEFAULT.add(received, EIGHT_HOURS)
    assert deadline == paris(2026, 10, 26, 13, 0)
    assert deadline.utcoffset() == timedelta(hours=1)
    assert DEFAULT.between(paris(2026, 10, 26, 9, 0), paris(2026, 10, 26, 18, 0)) == timedelta(
        hours=9
    )


def test_zero_duration_returns_the_start_even_when_closed() -> None:
    saturday = paris(2026, 6, 6, 12, 0)
    assert DEFAULT.add(saturday, timedelta(0)) == saturday
    in_utc = datetime(2026, 6, 6, 10, 0, tzinfo=UTC)
    assert DEFAULT.add(in_utc, timedelta(0)) == in_utc
    assert DEFAULT.add(in_utc, timedelta(0)).tzinfo is PARIS


def test_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="négative"):
        DEFAULT.add(paris(2026, 6, 3, 10, 0), timedelta(seconds=-1))


def test_long_durations_span_weeks_and_holidays() -> None:
    # 45 h from Monday 9:00 = five full days; the next week starts Monday 9:00.
    assert DEFAULT.add(paris(2026, 6, 1, 9, 0), timedelta(hours=45)) == paris(2026, 6, 5, 18, 0)
    assert DEFAULT.add(paris(2026, 6, 1, 9, 0), timedelta(hours=46)) == paris(2026, 6, 8, 10, 0)
    # Christmas week 2026: Friday 25 December off.
    assert DEFAULT.add(paris(2026, 12, 21, 9, 0), timedelta(hours=36)) == paris(2026, 12, 24, 18, 0)
    assert DEFAULT.add(paris(2026, 12, 21, 9, 0), timedelta(hours=37)) == paris(2026, 12, 28, 10, 0)


def test_ten_thousand_hours() -> None:
    start = paris(2026, 1, 5, 9, 0)
    duration = timedelta(hours=10_000)
    deadline = DEFAULT.add(start, duration)
    assert DEFAULT.between(start, deadline) == duration
    # 10 000 h = 1111 full days and 1 h: several years later, during opening hours.
    assert deadline.year in (2030, 2031)
    assert DEFAULT.is_open(deadline - timedelta(minutes=1))


# --- between: elapsed support time -------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "elapsed"),
    [
        # Friday 17:00 → Monday 10:00: 1 h + 1 h.
        (paris(2026, 6, 5, 17, 0), paris(2026, 6, 8, 10, 0), timedelta(hours=2)),
        # The whole weekend alone: nothing.
        (paris(2026, 6, 5, 18, 0), paris(2026, 6, 8, 9, 0), timedelta(0)),
        # Within one day.
        (paris(2026, 6, 3, 10, 15), paris(2026, 6, 3, 11, 0), timedelta(minutes=45)),
        # Night before opening.
        (paris(2026, 6, 2, 20, 0), paris(2026, 6, 3, 8, 0), timedelta(0)),
        # Over Pentecost weekend: Friday 17:30 → Tuesday 9:30.
        (paris(2026, 5, 22, 17, 30), paris(2026, 5, 26, 9, 30), timedelta(hours=1)),
        # A full week with DST: Monday 23 March 0:00 → Monday 30 March 0:00.
        (paris(2026, 3, 23), paris(2026, 3, 30), timedelta(hours=45)),
        (paris(2026, 10, 19), paris(2026, 10, 26), timedelta(hours=45)),
        # Reversed or empty intervals count zero.
        (paris(2026, 6, 3, 11, 0), paris(2026, 6, 3, 10, 0), timedelta(0)),
        (paris(2026, 6, 3, 11, 0), paris(2026, 6, 3, 11, 0), timedelta(0)),
        # Mixed time zones: 08:00 UTC is 10:00 in Paris in June.
        (datetime(2026, 6, 3, 8, 0, tzinfo=UTC), paris(2026, 6, 3, 12, 0), timedelta(hours=2)),
    ],
)
def test_between(a: datetime, b: datetime, elapsed: timedelta) -> None:
    assert DEFAULT.between(a, b) == elapsed


def test_between_alsace_moselle_good_friday() -> None:
    a, b = paris(2026, 4, 2, 9, 0), paris(2026, 4, 7, 9, 0)
    assert DEFAULT.between(a, b) == timedelta(hours=18)
    assert ALSACE.between(a, b) == timedelta(hours=9)


# --- replacement: wall clock -------------------------------------------------------------


def test_replacement_deadline_is_96_elapsed_hours() -> None:
    found = paris(2026, 6, 5, 17, 30)
    assert REPLACEMENT_OBJECTIVE == timedelta(hours=96)
    assert replacement_deadline(found) == paris(2026, 6, 9, 17, 30)
    assert replacement_deadline(found).tzinfo is PARIS


def test_replacement_deadline_across_dst_counts_real_hours() -> None:
    # 96 real hours over the spring change: one hour later on the wall clock.
    assert replacement_deadline(paris(2026, 3, 27, 12, 0)) == paris(2026, 3, 31, 13, 0)
    assert replacement_deadline(paris(2026, 10, 23, 12, 0)) == paris(2026, 10, 27, 11, 0)


def test_replacement_deadline_refuses_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        replacement_deadline(datetime(2026, 6, 5, 17, 30))  # noqa: DTZ001


# --- properties --------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001
    max_value=datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([PARIS, UTC]),
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=600))
calendars = st.sampled_from([DEFAULT, ALSACE, SupportCalendar(time(8, 0), time(12, 30))])


@settings(max_examples=300, deadline=None)
@given(calendar=calendars, start=instants, duration=durations)
def test_between_inverts_add(
    calendar: SupportCalendar, start: datetime, duration: timedelta
) -> None:
    deadline = calendar.add(start, duration)
    assert calendar.between(start, deadline) == duration
    assert deadline >= start
    assert deadline.tzinfo is PARIS


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, start=instants, first=durations, second=durations)
def test_add_is_monotonic(
    calendar: SupportCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    shorter, longer = sorted((first, second))
    assert calendar.add(start, shorter) <= calendar.add(start, longer)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, start=instants, duration=durations)
def test_deadline_lies_in_opening_hours(
    calendar: SupportCalendar, start: datetime, duration: timedelta
) -> None:
    if duration == timedelta(0):
        return
    deadline = calendar.add(start, duration)
    local = deadline.astimezone(PARIS)
    assert calendar.opens_at < local.time() <= calendar.closes_at
    assert calendar.is_open(deadline - timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, a=instants, b=instants, c=instants)
def test_between_is_additive(
    calendar: SupportCalendar, a: datetime, b: datetime, c: datetime
) -> None:
    first, middle, last = sorted((a, b, c))
    whole = calendar.between(first, last)
    assert whole == calendar.between(first, middle) + calendar.between(middle, last)
    assert calendar.between(last, first) == timedelta(0)
