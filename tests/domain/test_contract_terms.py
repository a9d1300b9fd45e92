"""Contract terms: periods, early-termination fees (every branch), the renewal floor."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.contracts import (
    early_termination_fee,
    non_renewal_end,
    period_end,
    renewal_floor,
    running_period,
    termination_fee,
)
from desktop.domain.errors import InvalidValue
from desktop.domain.periods import add_months, month_index

D = Decimal


def test_the_example_of_the_business_rules() -> None:
    fee = termination_fee(date(2026, 1, 1), 36, 12, date(2026, 10, 15), D("200.00"))
    assert (fee.months_full, fee.months_reduced) == (3, 24)
    assert (fee.amount_full, fee.amount_reduced) == (D("600.00"), D("2400.00"))
    assert early_termination_fee(date(2026, 1, 1), 36, 12, date(2026, 10, 15), D("200")) == D(
        "3000.00"
    )


@pytest.mark.parametrize(
    ("start", "initial", "effective", "monthly", "full", "reduced", "total"),
    [
        # initial period, first year: the months left in it at 100 %
        (date(2026, 3, 15), 12, date(2026, 9, 20), "123.45", 6, 0, "740.70"),
        (date(2026, 3, 15), 12, date(2026, 3, 15), "10.00", 12, 0, "120.00"),
        # initial period of 36 months, first year: the rest of the year + 24 at 50 %
        (date(2026, 1, 1), 36, date(2026, 12, 31), "200.00", 1, 24, "2600.00"),
        # initial period beyond its first year: everything left at 50 %
        (date(2026, 1, 1), 36, date(2027, 3, 10), "200.00", 0, 22, "2200.00"),
        (date(2026, 1, 1), 24, date(2027, 6, 15), "150.00", 0, 7, "525.00"),
        (date(2026, 1, 1), 36, date(2027, 1, 1), "100.00", 0, 24, "1200.00"),
        # half a cent rounds up
        (date(2026, 1, 1), 24, date(2027, 12, 1), "33.33", 0, 1, "16.67"),
    ],
)
def test_initial_period(
    start: date,
    initial: int,
    effective: date,
    monthly: str,
    full: int,
    reduced: int,
    total: str,
) -> None:
    fee = termination_fee(start, initial, 12, effective, D(monthly))
    assert fee.period.is_initial
    assert (fee.months_full, fee.months_reduced, fee.total) == (full, reduced, D(total))


@pytest.mark.parametrize(
    ("effective", "full", "reduced", "total"),
    [
        (date(2027, 1, 1), 3, 9, "750.00"),  # first day of the renewal period
        (date(2027, 2, 10), 3, 8, "700.00"),  # more than 3 months left
        (date(2027, 10, 1), 3, 0, "300.00"),  # exactly 3 left
        (date(2027, 11, 15), 2, 0, "200.00"),  # fewer than 3 left
        (date(2027, 12, 31), 1, 0, "100.00"),  # its last day: one started month
        (date(2028, 1, 1), 3, 9, "750.00"),  # the next renewal period
    ],
)
def test_renewal_period(effective: date, full: int, reduced: int, total: str) -> None:
    fee = termination_fee(date(2026, 1, 1), 12, 12, effective, D("100.00"))
    assert not fee.period.is_initial
    assert (fee.months_full, fee.months_reduced, fee.total) == (full, reduced, D(total))


def test_office_365_renews_by_one_year_after_a_36_month_initial_period() -> None:
    fee = termination_fee(date(2026, 1, 1), 36, 12, date(2029, 5, 20), D("80.00"))
    assert fee.period.number == 1
    assert (fee.period.start, fee.period.end) == (date(2029, 1, 1), date(2029, 12, 31))
    assert (fee.months_full, fee.months_reduced, fee.total) == (3, 5, D("440.00"))


def test_month_ends_count_months_from_the_start_without_drift() -> None:
    start = date(2026, 1, 31)
    # Month 1 starts on 28 February: that day opens a new contract month.
    assert early_termination_fee(start, 12, 12, date(2026, 2, 27), D("10")) == D("120.00")
    assert early_termination_fee(start, 12, 12, date(2026, 2, 28), D("10")) == D("110.00")
    # The 31sts come back: month 2 starts on 31 March, not 28 March.
    assert early_termination_fee(start, 12, 12, date(2026, 3, 30), D("10")) == D("110.00")
    assert early_termination_fee(start, 12, 12, date(2026, 3, 31), D("10")) == D("100.00")
    assert period_end(start, 12, 12, date(2026, 6, 1)) == date(2027, 1, 30)


def test_leap_years() -> None:
    start = date(2024, 2, 29)
    assert period_end(start, 12, 12, start) == date(2025, 2, 27)
    assert period_end(start, 12, 12, date(2025, 2, 28)) == date(2026, 2, 27)
    assert period_end(start, 12, 12, date(2027, 3, 1)) == date(2028, 2, 28)
    assert period_end(start, 12, 12, date(2028, 2, 29)) == date(2029, 2, 27)
    assert early_termination_fee(start, 12, 12, date(2025, 2, 27), D("100")) == D("100.00")
    assert early_termination_fee(start, 12, 12, date(2025, 2, 28), D("100")) == D("750.00")
    # A start on 28 February of a leap year: 29 February is within its first month.
    assert period_end(date(2028, 2, 28), 12, 12, date(2028, 2, 29)) == date(2029, 2, 27)


def test_period_end_of_the_initial_and_renewal_periods() -> None:
    start = date(2026, 1, 15)
    assert period_end(start, 12, 12, start) == date(2027, 1, 14)
    assert period_end(start, 12, 12, date(2027, 1, 14)) == date(2027, 1, 14)
    assert period_end(start, 12, 12, date(2027, 1, 15)) == date(2028, 1, 14)
    assert period_end(start, 36, 12, date(2026, 10, 15)) == date(2029, 1, 14)
    assert period_end(start, 24, 6, date(2028, 8, 1)) == date(2029, 1, 14)


def test_dates_before_the_start_and_bad_terms_are_refused_in_french() -> None:
    with pytest.raises(InvalidValue, match="précède le début du service"):
        period_end(date(2026, 1, 1), 12, 12, date(2025, 12, 31))
    with pytest.raises(InvalidValue, match="au moins un mois"):
        period_end(date(2026, 1, 1), 0, 12, date(2026, 1, 1))
    with pytest.raises(InvalidValue, match="négatifs"):
        early_termination_fee(date(2026, 1, 1), 12, 12, date(2026, 2, 1), D("-1"))


@pytest.mark.parametrize(
    ("active", "floor"), [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (10, 5), (11, 6)]
)
def test_renewal_floor_is_the_ceiling_of_half(active: int, floor: int) -> None:
    assert renewal_floor(active) == floor


def test_renewal_floor_follows_the_setting() -> None:
    assert renewal_floor(4, D("75")) == 3
    assert renewal_floor(3, D("33.34")) == 2


def test_non_renewal_ends_with_the_period_but_not_before_the_account_commitment() -> None:
    start = date(2026, 1, 1)
    asked = date(2026, 11, 20)
    assert non_renewal_end(start, 12, 12, asked) == date(2026, 12, 31)
    assert non_renewal_end(start, 12, 12, asked, date(2026, 1, 1)) == date(2026, 12, 31)
    # Opened in November: its 12 months run to October 2027, the period then to December.
    assert non_renewal_end(start, 12, 12, asked, date(2026, 11, 1)) == date(2027, 12, 31)


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(dates, st.integers(min_value=0, max_value=3000))
def test_month_index_brackets_the_day(start: date, offset: int) -> None:
    day = start + timedelta(days=offset)
    index = month_index(start, day)
    assert add_months(start, index) <= day < add_months(start, index + 1)


@given(
    dates,
    st.sampled_from([12, 24, 36]),
    st.sampled_from([1, 6, 12]),
    st.integers(min_value=0, max_value=4000),
    st.decimals(min_value=0, max_value=100000, places=2),
)
def test_fee_breakdown_covers_the_months_left(
    start: date, initial: int, renewal: int, offset: int, monthly: Decimal
) -> None:
    effective = start + timedelta(days=offset)
    fee = termination_fee(start, initial, renewal, effective, monthly)
    period = running_period(start, initial, renewal, effective)
    assert fee.period == period
    assert period.start <= effective <= period.end
    assert period_end(start, initial, renewal, effective) == period.end
    left = period.first_month + period.months - month_index(start, effective)
    assert fee.months_full + fee.months_reduced == left
    assert 1 <= left <= period.months
    assert fee.total == fee.amount_full + fee.amount_reduced
    assert fee.total == (fee.months_full * monthly + fee.months_reduced * monthly / 2).quantize(
        D("0.01"), rounding="ROUND_HALF_UP"
    )
