"""The dunning deadlines (business rules §6, HE §9.5): 8 calendar days, then 48 hours."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta, timezone

import pytest

import desktop.domain.dunning as dunning
from desktop.domain.clock import PARIS
from desktop.domain.dunning import (
    DELETION_HOURS,
    REMINDER_DAYS,
    deletion_due,
    dunning_deadlines,
    suspension_due,
)


def test_doctests() -> None:
    failures, tried = doctest.testmod(dunning)
    assert tried > 0 and failures == 0


def test_contract_defaults() -> None:
    assert (REMINDER_DAYS, DELETION_HOURS) == (8, 48)


def test_plain_week_in_paris() -> None:
    sent = datetime(2026, 4, 10, 9, 30, tzinfo=PARIS)
    assert dunning_deadlines(sent) == (
        datetime(2026, 4, 18, 9, 30, tzinfo=PARIS),
        datetime(2026, 4, 20, 9, 30, tzinfo=PARIS),
    )


def test_the_time_zone_is_kept() -> None:
    sent = datetime(2026, 4, 10, 7, 30, tzinfo=UTC)
    suspension, deletion = dunning_deadlines(sent)
    assert suspension.tzinfo is UTC and deletion.tzinfo is UTC
    assert (suspension, deletion) == (
        datetime(2026, 4, 18, 7, 30, tzinfo=UTC),
        datetime(2026, 4, 20, 7, 30, tzinfo=UTC),
    )
    plus_two = timezone(timedelta(hours=2))
    suspension, _ = dunning_deadlines(sent.astimezone(plus_two))
    assert suspension.utcoffset() == timedelta(hours=2)


def test_eight_days_are_calendar_days_across_spring_forward() -> None:
    """Clocks go forward on 29 March 2026: 8 days later is 10:00 in Paris, 191 hours."""
    sent = datetime(2026, 3, 25, 10, 0, tzinfo=PARIS)
    suspension, deletion = dunning_deadlines(sent)
    assert suspension == datetime(2026, 4, 2, 10, 0, tzinfo=PARIS)
    assert suspension.astimezone(UTC) - sent.astimezone(UTC) == timedelta(hours=191)
    assert deletion == datetime(2026, 4, 4, 10, 0, tzinfo=PARIS)


def test_forty_eight_hours_are_elapsed_hours_across_fall_back() -> None:
    """Clocks go back on 25 October 2026: 48 hours after 12:00 is 11:00 on the wall."""
    suspended = datetime(2026, 10, 24, 12, 0, tzinfo=PARIS)
    due = deletion_due(suspended)
    assert due.astimezone(UTC) - suspended.astimezone(UTC) == timedelta(hours=48)
    assert (due.hour, due.day) == (11, 26)


def test_reminder_sent_in_utc_counts_paris_days() -> None:
    # 23:30 UTC on 20 October is 01:30 on 21 October in Paris; 8 Paris days later,
    # after the change of clocks, is 01:30 on 29 October in Paris = 00:30 UTC.
    sent = datetime(2026, 10, 20, 23, 30, tzinfo=UTC)
    assert suspension_due(sent) == datetime(2026, 10, 29, 0, 30, tzinfo=UTC)


def test_provider_settings_override_the_defaults() -> None:
    sent = datetime(2026, 4, 10, 9, 30, tzinfo=PARIS)
    assert dunning_deadlines(sent, reminder_days=15, deletion_hours=72) == (
        datetime(2026, 4, 25, 9, 30, tzinfo=PARIS),
        datetime(2026, 4, 28, 9, 30, tzinfo=PARIS),
    )


@pytest.mark.parametrize("function", [dunning_deadlines, suspension_due, deletion_due])
def test_naive_datetimes_are_refused(function: object) -> None:
    with pytest.raises(ValueError, match="aware"):
        function(datetime(2026, 4, 10, 9, 30))  # type: ignore[operator]  # noqa: DTZ001
