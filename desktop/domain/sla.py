"""Service level agreement: monthly availability and the service credits it earns.

Contract rules implemented here:

* availability is the percentage of the calendar month (Europe/Paris, so March and
  October have 743 and 745 hours) not covered by the union of the outages;
* credit tiers (:data:`CREDIT_TIERS`): availability ≥ 99 % → 0 %, ≥ 98 % → 5 %,
  ≥ 97 % → 10 %, below → 20 %;
* credit base: the month's fixed fees plus the average usage fees of the previous
  three months; credits over 30 days are capped at 20 % of the month's fixed and usage
  fees, minus the credits already granted, never below zero; rounded half-up to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal, localcontext

from desktop.domain.clock import PARIS
from desktop.domain.money import round_money

AVAILABILITY_TARGET = Decimal("99")
"""Availability (percent) from which no credit is due."""

CREDIT_TIERS: tuple[tuple[Decimal, Decimal], ...] = (
    (AVAILABILITY_TARGET, Decimal("0")),
    (Decimal("98"), Decimal("5")),
    (Decimal("97"), Decimal("10")),
)
"""``(minimum availability, credit percent)``, best first; below the last: :data:`CREDIT_FLOOR`."""

CREDIT_FLOOR = Decimal("20")
"""Credit percent when availability is below every tier of :data:`CREDIT_TIERS`."""

CREDIT_CAP_RATE = Decimal("0.20")
"""Credits over 30 days are capped at this share of the month's fixed and usage fees."""

USAGE_AVERAGE_MONTHS = 3
"""How many previous months' usage fees are averaged into the credit base."""

_PRECISION = 28
"""Significant digits of the intermediate ``Decimal`` computations."""

_HUNDRED = Decimal(100)
_ZERO = Decimal(0)
_MICROSECOND = timedelta(microseconds=1)


def credit_percent(availability: Decimal) -> Decimal:
    """Credit percent (0, 5, 10 or 20) earned by a monthly ``availability`` in percent.

    Rule: a ≥ 99 → 0; 98 ≤ a < 99 → 5; 97 ≤ a < 98 → 10; a < 97 → 20.
    """
    if not _ZERO <= availability <= _HUNDRED:
        raise ValueError(f"La disponibilité doit être comprise entre 0 et 100 % : {availability}.")
    for minimum, percent in CREDIT_TIERS:
        if availability >= minimum:
            return percent
    return CREDIT_FLOOR


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The month as UTC instants: [first day 00:00 Paris, next month's first day 00:00 Paris)."""
    if not 1 <= month <= 12:
        raise ValueError(f"Mois invalide : {month}.")
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    start = datetime(year, month, 1, tzinfo=PARIS).astimezone(UTC)
    end = datetime(next_year, next_month, 1, tzinfo=PARIS).astimezone(UTC)
    return start, end


def month_downtime(
    year: int, month: int, outages: Iterable[tuple[datetime, datetime]]
) -> timedelta:
    """Length of the union of ``outages`` within the month (Paris calendar).

    Outages are ``(start, end)`` pairs of aware datetimes; they are clipped to the
    month and overlapping ones count once. A naive datetime or an end before its start
    raises ``ValueError``.
    """
    month_start, month_end = month_bounds(year, month)
    clipped = sorted(
        (max(start, month_start), min(end, month_end))
        for start, end in _checked(outages)
        if start < month_end and end > month_start
    )
    return _union_length(clipped)


def monthly_availability(
    year: int, month: int, outages: Iterable[tuple[datetime, datetime]]
) -> Decimal:
    """Percent of the month not covered by the union of ``outages``, unrounded.

    Rule: ``100 × (1 − downtime / month length)``, the month being Paris calendar time
    (DST-correct length), computed on exact microseconds with 28 significant digits.
    No outage gives ``Decimal("100")``.
    """
    month_start, month_end = month_bounds(year, month)
    down = month_downtime(year, month, outages) // _MICROSECOND
    length = (month_end - month_start) // _MICROSECOND
    with localcontext() as context:
        context.prec = _PRECISION
        return _HUNDRED * (Decimal(1) - Decimal(down) / Decimal(length))


def credit_amount(
    availability: Decimal,
    month_fixed_fees: Decimal,
    month_usage_fees: Decimal,
    previous_usage_fees: Sequence[Decimal],
    already_credited: Decimal = Decimal(0),
) -> Decimal:
    """Service credit for a month, in euros, rounded half-up to the cent.

    Rule: ``tier × (fixed fees + mean of the previous months' usage fees)`` (up to
    three previous months; none means no usage), capped at ``20 % × (fixed fees + the
    month's usage fees) − credits already granted over the 30 days``, never below zero.
    Rounded once, at the end.
    """
    _check_amounts(month_fixed_fees, month_usage_fees, already_credited, *previous_usage_fees)
    if len(previous_usage_fees) > USAGE_AVERAGE_MONTHS:
        raise ValueError(
            f"La moyenne porte sur {USAGE_AVERAGE_MONTHS} mois au plus, "
            f"{len(previous_usage_fees)} fournis."
        )
    with localcontext() as context:
        context.prec = _PRECISION
        base = month_fixed_fees + _mean(previous_usage_fees)
        credit = credit_percent(availability) / _HUNDRED * base
        cap = CREDIT_CAP_RATE * (month_fixed_fees + month_usage_fees) - already_credited
        return round_money(max(_ZERO, min(credit, cap)))


def credit_base(month_fixed_fees: Decimal, previous_usage_fees: Sequence[Decimal]) -> Decimal:
    """The base a credit's tier applies to, to the cent (shown to staff): the month's fixed
    fees plus the mean of the previous months' usage fees (none means no usage)."""
    with localcontext() as context:
        context.prec = _PRECISION
        return round_money(month_fixed_fees + _mean(previous_usage_fees))


def _mean(values: Sequence[Decimal]) -> Decimal:
    """Arithmetic mean of ``values``; zero for none."""
    if not values:
        return _ZERO
    return sum(values, _ZERO) / len(values)


def _check_amounts(*amounts: Decimal) -> None:
    """Raise ``ValueError`` if an amount is negative."""
    for amount in amounts:
        if amount < 0:
            raise ValueError(f"Un montant ne peut pas être négatif : {amount}.")


def _checked(
    outages: Iterable[tuple[datetime, datetime]],
) -> Iterator[tuple[datetime, datetime]]:
    """The outages as UTC pairs, after checking each one is aware and not reversed."""
    for start, end in outages:
        for value in (start, end):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(
                    f"Les dates d'une panne doivent comporter un fuseau horaire "
                    f"(datetime aware) : {value}."
                )
        if end < start:
            raise ValueError(f"La fin d'une panne ({end}) précède son début ({start}).")
        yield start.astimezone(UTC), end.astimezone(UTC)


def _union_length(intervals: Sequence[tuple[datetime, datetime]]) -> timedelta:
    """Total length of the union of ``intervals``, sorted by start."""
    total = timedelta(0)
    current: tuple[datetime, datetime] | None = None
    for start, end in intervals:
        if current is not None and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            total += current[1] - current[0]
        current = (start, end)
    if current is not None:
        total += current[1] - current[0]
    return total
