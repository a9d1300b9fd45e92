"""SLA rules: monthly availability (Paris calendar, DST), credit tiers, credit base and cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.clock import PARIS
from desktop.domain.sla import (
    AVAILABILITY_TARGET,
    CREDIT_TIERS,
    credit_amount,
    credit_percent,
    month_bounds,
    month_downtime,
    monthly_availability,
)

HOUR = timedelta(hours=1)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def expected_availability(down_seconds: int, month_hours: int) -> Decimal:
    return Decimal(100) * (1 - Decimal(down_seconds) / Decimal(month_hours * 3600))


# --- credit tiers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("availability", "percent"),
    [
        ("100", "0"),
        ("99.5", "0"),
        ("99", "0"),
        ("98.999999", "5"),
        ("98.5", "5"),
        ("98", "5"),
        ("97.999999", "10"),
        ("97", "10"),
        ("96.999999", "20"),
        ("96.99", "20"),
        ("50", "20"),
        ("0", "20"),
    ],
)
def test_credit_tiers(availability: str, percent: str) -> None:
    result = credit_percent(Decimal(availability))
    assert result == Decimal(percent)
    assert isinstance(result, Decimal)


def test_tier_table_starts_at_the_target() -> None:
    assert AVAILABILITY_TARGET == Decimal("99")
    assert CREDIT_TIERS[0] == (AVAILABILITY_TARGET, Decimal("0"))


@pytest.mark.parametrize("availability", ["-0.01", "100.01"])
def test_credit_percent_refuses_impossible_availability(availability: str) -> None:
    with pytest.raises(ValueError, match="disponibilité"):
        credit_percent(Decimal(availability))


# --- month length ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "hours"),
    [
        (2026, 1, 744),
        (2026, 2, 672),
        (2024, 2, 696),
        (2026, 3, 743),  # clocks go forward on 29 March
        (2026, 4, 720),
        (2026, 10, 745),  # clocks go back on 25 October
        (2026, 12, 744),
    ],
)
def test_month_length_is_paris_calendar_time(year: int, month: int, hours: int) -> None:
    start, end = month_bounds(year, month)
    assert end - start == timedelta(hours=hours)
    assert start == paris(year, month, 1)


@pytest.mark.parametrize("month", [0, 13])
def test_invalid_month(month: int) -> None:
    with pytest.raises(ValueError, match="Mois"):
        monthly_availability(2026, month, [])


# --- availability ------------------------------------------------------------------------


def test_no_outage_is_full_availability() -> None:
    assert monthly_availability(2026, 6, []) == Decimal("100")
    assert month_downtime(2026, 6, []) == timedelta(0)


def test_one_hour_down_in_march_2026() -> None:
    outage = (paris(2026, 3, 10, 10), paris(2026, 3, 10, 11))
    assert monthly_availability(2026, 3, [outage]) == expected_availability(3600, 743)


def test_one_hour_down_in_october_2026() -> None:
    outage = (paris(2026, 10, 10, 10), paris(2026, 10, 10, 11))
    assert monthly_availability(2026, 10, [outage]) == expected_availability(3600, 745)


def test_outage_over_the_dst_change_counts_real_time() -> None:
    # 01:00 → 04:00 local on 29 March 2026 is two real hours (02:00 does not exist).
    outage = (paris(2026, 3, 29, 1), paris(2026, 3, 29, 4))
    assert month_downtime(2026, 3, [outage]) == 2 * HOUR
    # 00:00 → 04:00 local on 25 October 2026 is five real hours (02:00–03:00 twice).
    outage = (paris(2026, 10, 25, 0), paris(2026, 10, 25, 4))
    assert month_downtime(2026, 10, [outage]) == 5 * HOUR


def test_availability_keeps_six_decimals_and_more() -> None:
    # One minute in a 30-day month: 100 × (1 − 60 / 2 592 000) = 99.99768518518…
    outage = (paris(2026, 6, 3, 10, 0), paris(2026, 6, 3, 10, 1))
    result = monthly_availability(2026, 6, [outage])
    assert result == expected_availability(60, 720)
    assert result.quantize(Decimal("0.000001")) == Decimal("99.997685")


def test_overlapping_outages_count_once() -> None:
    outages = [
        (paris(2026, 6, 3, 10), paris(2026, 6, 3, 12)),
        (paris(2026, 6, 3, 11), paris(2026, 6, 3, 13)),
        (paris(2026, 6, 3, 11, 15), paris(2026, 6, 3, 11, 30)),  # inside both
        (paris(2026, 6, 3, 10), paris(2026, 6, 3, 12)),  # duplicate
    ]
    assert month_downtime(2026, 6, outages) == 3 * HOUR
    assert monthly_availability(2026, 6, outages) == expected_availability(3 * 3600, 720)


def test_touching_and_separate_outages_add_up() -> None:
    outages = [
        (paris(2026, 6, 3, 10), paris(2026, 6, 3, 11)),
        (paris(2026, 6, 3, 11), paris(2026, 6, 3, 12)),  # touches the first
        (paris(2026, 6, 20, 8), paris(2026, 6, 20, 9)),
    ]
    assert month_downtime(2026, 6, outages) == 3 * HOUR


def test_order_of_outages_does_not_matter() -> None:
    outages = [
        (paris(2026, 6, 20, 8), paris(2026, 6, 20, 9)),
        (paris(2026, 6, 3, 11), paris(2026, 6, 3, 13)),
        (paris(2026, 6, 3, 10), paris(2026, 6, 3, 12)),
    ]
    assert month_downtime(2026, 6, outages) == month_downtime(2026, 6, reversed(outages))
    assert month_downtime(2026, 6, outages) == 4 * HOUR


def test_outages_spanning_month_boundaries_are_clipped() -> None:
    across_may_june = (paris(2026, 5, 31, 22), paris(2026, 6, 1, 2))
    across_june_july = (paris(2026, 6, 30, 23), paris(2026, 7, 1, 5))
    outages = [across_may_june, across_june_july]
    assert month_downtime(2026, 5, outages) == 2 * HOUR
    assert month_downtime(2026, 6, outages) == 3 * HOUR
    assert month_downtime(2026, 7, outages) == 5 * HOUR
    assert monthly_availability(2026, 6, outages) == expected_availability(3 * 3600, 720)


def test_year_boundary_is_clipped() -> None:
    outage = (paris(2026, 12, 31, 23), paris(2027, 1, 1, 1))
    assert month_downtime(2026, 12, [outage]) == HOUR
    assert month_downtime(2027, 1, [outage]) == HOUR


def test_month_boundary_is_midnight_in_paris_not_utc() -> None:
    # 30 June 23:00 UTC is already 1 July 01:00 in Paris.
    outage = (datetime(2026, 6, 30, 22, 0, tzinfo=UTC), datetime(2026, 6, 30, 23, 0, tzinfo=UTC))
    assert month_downtime(2026, 6, [outage]) == timedelta(0)
    assert month_downtime(2026, 7, [outage]) == HOUR


def test_outages_outside_the_month_are_ignored() -> None:
    outages = [
        (paris(2026, 5, 10), paris(2026, 5, 11)),
        (paris(2026, 7, 1), paris(2026, 7, 2)),
        (paris(2026, 5, 31, 23), paris(2026, 6, 1)),  # ends exactly at the month start
    ]
    assert monthly_availability(2026, 6, outages) == Decimal("100")


def test_outage_covering_the_whole_month() -> None:
    outage = (paris(2026, 2, 20), paris(2026, 4, 2))
    assert month_downtime(2026, 3, [outage]) == 743 * HOUR
    assert monthly_availability(2026, 3, [outage]) == Decimal(0)


def test_empty_outage_counts_nothing() -> None:
    instant = paris(2026, 6, 3, 10)
    assert monthly_availability(2026, 6, [(instant, instant)]) == Decimal("100")


def test_outages_may_be_any_iterable() -> None:
    outages = ((paris(2026, 6, d, 10), paris(2026, 6, d, 11)) for d in (1, 2, 3))
    assert monthly_availability(2026, 6, outages) == expected_availability(3 * 3600, 720)


def test_reversed_outage_is_refused() -> None:
    with pytest.raises(ValueError, match="précède"):
        monthly_availability(2026, 6, [(paris(2026, 6, 3, 12), paris(2026, 6, 3, 11))])


def test_reversed_outage_outside_the_month_is_refused_too() -> None:
    with pytest.raises(ValueError, match="précède"):
        month_downtime(2026, 6, [(paris(2026, 1, 3, 12), paris(2026, 1, 3, 11))])


@pytest.mark.parametrize(
    "outage",
    [
        (datetime(2026, 6, 3, 10), paris(2026, 6, 3, 11)),  # noqa: DTZ001
        (paris(2026, 6, 3, 10), datetime(2026, 6, 3, 11)),  # noqa: DTZ001
    ],
)
def test_naive_outage_is_refused(outage: tuple[datetime, datetime]) -> None:
    with pytest.raises(ValueError, match="aware"):
        monthly_availability(2026, 6, [outage])


# --- credit amount -----------------------------------------------------------------------


def test_credit_on_fixed_fees_plus_average_previous_usage() -> None:
    # 5 % × (1000 + mean(200, 300, 400)) = 5 % × 1300 = 65; cap 20 % × 1300 = 260.
    amount = credit_amount(
        Decimal("98.5"),
        Decimal("1000"),
        Decimal("300"),
        [Decimal("200"), Decimal("300"), Decimal("400")],
    )
    assert amount == Decimal("65.00")
    assert str(amount) == "65.00"


def test_no_credit_at_target() -> None:
    amount = credit_amount(Decimal("99"), Decimal("1000"), Decimal("300"), [Decimal("300")])
    assert str(amount) == "0.00"


def test_empty_previous_months_mean_no_usage() -> None:
    amount = credit_amount(Decimal("96"), Decimal("100"), Decimal("50"), [])
    assert amount == Decimal("20.00")


def test_fewer_than_three_previous_months_are_averaged() -> None:
    # 10 % × (100 + mean(40, 60)) = 15.
    amount = credit_amount(
        Decimal("97.5"), Decimal("100"), Decimal("50"), [Decimal(40), Decimal(60)]
    )
    assert amount == Decimal("15.00")


def test_more_than_three_previous_months_are_refused() -> None:
    with pytest.raises(ValueError, match="3 mois"):
        credit_amount(Decimal("96"), Decimal("100"), Decimal("0"), [Decimal(1)] * 4)


def test_credit_is_capped_at_20_percent_of_the_month_fees() -> None:
    # 20 % × (1000 + 3000) = 800, capped at 20 % × (1000 + 500) = 300.
    previous = [Decimal(3000)] * 3
    amount = credit_amount(Decimal("90"), Decimal("1000"), Decimal("500"), previous)
    assert amount == Decimal("300.00")


def test_cap_subtracts_credits_already_granted() -> None:
    previous = [Decimal(3000)] * 3
    args = (Decimal("90"), Decimal("1000"), Decimal("500"), previous)
    assert credit_amount(*args, already_credited=Decimal("250")) == Decimal("50.00")
    assert credit_amount(*args, already_credited=Decimal("300")) == Decimal("0.00")
    assert credit_amount(*args, already_credited=Decimal("400")) == Decimal("0.00")


def test_already_credited_below_the_cap_leaves_the_credit_whole() -> None:
    # 5 % × 1300 = 65; cap 260 − 100 = 160.
    amount = credit_amount(
        Decimal("98"), Decimal("1000"), Decimal("300"), [Decimal(300)] * 3, Decimal("100")
    )
    assert amount == Decimal("65.00")


def test_credit_is_rounded_half_up_to_the_cent() -> None:
    # 5 % × 10.10 = 0.505 → 0.51 (not 0.50 as banker's rounding would give).
    assert credit_amount(Decimal("98"), Decimal("10.10"), Decimal("0"), []) == Decimal("0.51")


def test_credit_is_rounded_once_at_the_end() -> None:
    # 10 % × (10 + mean(0.04, 0.05, 0.05)) = 10 % × 10.04666… = 1.004666… → 1.00;
    # rounding the mean first (10.05) would give 1.005 → 1.01.
    previous = [Decimal("0.04"), Decimal("0.05"), Decimal("0.05")]
    amount = credit_amount(Decimal("97.5"), Decimal("10"), Decimal("100"), previous)
    assert amount == Decimal("1.00")


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="négatif"):
        credit_amount(Decimal("96"), Decimal("-1"), Decimal("0"), [])
    with pytest.raises(ValueError, match="négatif"):
        credit_amount(Decimal("96"), Decimal("1"), Decimal("0"), [], Decimal("-1"))


def test_from_outages_to_credit() -> None:
    # 15 h down in October 2026 (745 h): 97.986… % → 10 %.
    outages = [(paris(2026, 10, 5, 8), paris(2026, 10, 5, 23))]
    availability = monthly_availability(2026, 10, outages)
    assert Decimal(97) < availability < Decimal(98)
    amount = credit_amount(availability, Decimal("200"), Decimal("80"), [Decimal(100)] * 3)
    assert amount == Decimal("30.00")


# --- properties --------------------------------------------------------------------------

june_instants = st.datetimes(
    min_value=datetime(2026, 5, 25),  # noqa: DTZ001
    max_value=datetime(2026, 7, 5),  # noqa: DTZ001
    timezones=st.sampled_from([PARIS, UTC]),
)
outage_lists = st.lists(
    st.tuples(june_instants, june_instants).map(lambda pair: tuple(sorted(pair))), max_size=8
)


@settings(max_examples=200, deadline=None)
@given(outages=outage_lists)
def test_availability_is_a_percentage(outages: list[tuple[datetime, datetime]]) -> None:
    availability = monthly_availability(2026, 6, outages)
    assert Decimal(0) <= availability <= Decimal(100)
    assert timedelta(0) <= month_downtime(2026, 6, outages) <= timedelta(days=30)


@settings(max_examples=200, deadline=None)
@given(outages=outage_lists)
def test_downtime_is_at_most_the_sum_and_order_free(
    outages: list[tuple[datetime, datetime]],
) -> None:
    down = month_downtime(2026, 6, outages)
    start, end = month_bounds(2026, 6)
    clipped = sum(
        (max(timedelta(0), min(b, end) - max(a, start)) for a, b in outages), timedelta(0)
    )
    assert down <= clipped
    assert month_downtime(2026, 6, list(reversed(outages))) == down
    assert month_downtime(2026, 6, outages + outages) == down


money = st.decimals(min_value=0, max_value=100_000, places=2)


@settings(max_examples=200, deadline=None)
@given(
    availability=st.decimals(min_value=0, max_value=100, places=6),
    fixed=money,
    usage=money,
    previous=st.lists(money, max_size=3),
    already=money,
)
def test_credit_stays_within_zero_and_the_cap(
    availability: Decimal,
    fixed: Decimal,
    usage: Decimal,
    previous: list[Decimal],
    already: Decimal,
) -> None:
    amount = credit_amount(availability, fixed, usage, previous, already)
    cap = max(Decimal(0), Decimal("0.20") * (fixed + usage) - already)
    assert Decimal(0) <= amount <= cap + Decimal("0.005")
    assert amount == amount.quantize(Decimal("0.01"))
