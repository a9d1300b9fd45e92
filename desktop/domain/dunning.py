"""The late-payment sequence (business rules §6, HE §9.5): its deadlines.

1. an email reminder asks for payment within 8 days;
2. 8 days after that email, unpaid: the service and every account of the
   client are suspended;
3. 48 hours after the suspension, unpaid: the service and its data are deleted.

Payment at any step stops the sequence. The 8 days are calendar days in
Paris (a reminder sent at 10:00 makes the suspension due at 10:00, even
across a change of clocks); the 48 hours are elapsed hours. The provider's
settings may change both (``Provider.dunning_reminder_days`` and
``Provider.dunning_deletion_hours``); these are the contract's defaults.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop.domain.clock import PARIS

REMINDER_DAYS = 8
"""Days between the reminder email and the suspension (HE §9.5)."""
DELETION_HOURS = 48
"""Hours between the suspension and the deletion (HE §9.5)."""


def _check_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


def suspension_due(reminder_sent_at: datetime, *, days: int = REMINDER_DAYS) -> datetime:
    """When the suspension is due: ``days`` calendar days (in Paris) after the reminder.

    The result keeps the time zone of ``reminder_sent_at``.

    >>> from zoneinfo import ZoneInfo
    >>> sent = datetime(2026, 3, 25, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    >>> suspension_due(sent)  # clocks go forward on 29 March: still 10:00 in Paris
    datetime.datetime(2026, 4, 2, 10, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Paris'))
    >>> suspension_due(datetime(2026, 3, 25, 9, 0, tzinfo=UTC))
    datetime.datetime(2026, 4, 2, 8, 0, tzinfo=datetime.timezone.utc)
    """
    _check_aware(reminder_sent_at, "reminder_sent_at")
    local = reminder_sent_at.astimezone(PARIS)
    due = (local + timedelta(days=days)).astimezone(UTC)  # wall-clock days in Paris
    return due.astimezone(reminder_sent_at.tzinfo)


def deletion_due(suspended_at: datetime, *, hours: int = DELETION_HOURS) -> datetime:
    """When the deletion is due: ``hours`` elapsed hours after the suspension.

    The result keeps the time zone of ``suspended_at``.

    >>> from zoneinfo import ZoneInfo
    >>> suspended = datetime(2026, 10, 24, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
    >>> deletion_due(suspended)  # clocks go back on 25 October: one hour less on the wall
    datetime.datetime(2026, 10, 26, 11, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Paris'))
    """
    _check_aware(suspended_at, "suspended_at")
    due = suspended_at.astimezone(UTC) + timedelta(hours=hours)
    return due.astimezone(suspended_at.tzinfo)


def dunning_deadlines(
    reminder_sent_at: datetime,
    *,
    reminder_days: int = REMINDER_DAYS,
    deletion_hours: int = DELETION_HOURS,
) -> tuple[datetime, datetime]:
    """When the suspension is due, and when the deletion is due if it happens on time.

    ``reminder_sent_at`` must be aware; both results keep its time zone.

    >>> from zoneinfo import ZoneInfo
    >>> sent = datetime(2026, 4, 10, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    >>> suspend, delete = dunning_deadlines(sent)
    >>> suspend.isoformat(), delete.isoformat()
    ('2026-04-18T09:30:00+02:00', '2026-04-20T09:30:00+02:00')
    >>> dunning_deadlines(datetime(2026, 4, 10, 9, 30))
    Traceback (most recent call last):
    ...
    ValueError: reminder_sent_at must be an aware datetime
    """
    suspension = suspension_due(reminder_sent_at, days=reminder_days)
    return suspension, deletion_due(suspension, hours=deletion_hours)
